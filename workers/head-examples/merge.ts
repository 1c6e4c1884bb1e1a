/**
 * Merging shards and turning the merged result into what pages show. Merges are exact: top-k and keyed
 * samples follow a total order, histograms add integer counts, moments add exact sums — the same answer
 * for every split of the corpus into shards and every merge order.
 */
import { BoundedBest } from '@/lib/metrics/streaming/bounded-best';
import { byKeyAsc, byValueDesc } from '@/lib/metrics/streaming/example';
import { UnitHistograms } from '@/lib/metrics/streaming/histogram';
import { UnitMoments } from '@/lib/metrics/streaming/moments';
import { SAMPLE_QUANTILES, type HeadExample, type HeadExampleSet, type HeadShardResult } from './types';

export function mergeHeadShards(shards: HeadShardResult[]): HeadShardResult {
  if (shards.length === 0) throw new Error('mergeHeadShards: no shards to merge');
  const [first, ...rest] = shards;
  for (const s of rest) {
    if (s.nLayers !== first.nLayers || s.nHeads !== first.nHeads) throw new Error('mergeHeadShards: shards of different models');
    if (JSON.stringify(s.options) !== JSON.stringify(first.options))
      throw new Error('mergeHeadShards: shards scanned with different options');
  }
  const best = (key: 'topNorm' | 'topAttention' | 'normSamples', order: typeof byValueDesc) =>
    shards
      .map((s) => BoundedBest.fromJSON<HeadExample>(s[key], order))
      .reduce((a, b) => BoundedBest.merge(a, b))
      .toJSON();
  return {
    nLayers: first.nLayers,
    nHeads: first.nHeads,
    options: first.options,
    contexts: shards.reduce((a, s) => a + s.contexts, 0),
    tokens: shards.reduce((a, s) => a + s.tokens, 0),
    topNorm: best('topNorm', byValueDesc),
    topAttention: best('topAttention', byValueDesc),
    normSamples: best('normSamples', byKeyAsc),
    normHistogram: shards
      .map((s) => UnitHistograms.fromJSON(s.normHistogram))
      .reduce((a, b) => UnitHistograms.merge(a, b))
      .toJSON(),
    attentionHistogram: shards
      .map((s) => UnitHistograms.fromJSON(s.attentionHistogram))
      .reduce((a, b) => UnitHistograms.merge(a, b))
      .toJSON(),
    normMoments: shards
      .map((s) => UnitMoments.fromJSON(s.normMoments))
      .reduce((a, b) => UnitMoments.merge(a, b))
      .toJSON(),
  };
}

/** Per head: the top examples, the quantile samples and the distribution of the head's output norm. */
export function finalizeHeadExamples(merged: HeadShardResult): HeadExampleSet[] {
  const { nLayers, nHeads } = merged;
  const normHist = UnitHistograms.fromJSON(merged.normHistogram);
  const attnHist = UnitHistograms.fromJSON(merged.attentionHistogram);
  const moments = UnitMoments.fromJSON(merged.normMoments);
  const slotsPerUnit = normHist.bins + 2;
  const out: HeadExampleSet[] = [];
  for (let layer = 0; layer < nLayers; layer++) {
    for (let head = 0; head < nHeads; head++) {
      const u = layer * nHeads + head;
      const stats = moments.stats(u);
      const quantileOf = (q: number) => normHist.quantile(u, q, stats.min, stats.max);
      const quantileSamples = SAMPLE_QUANTILES.map((q) => {
        const value = quantileOf(q);
        // The sample of the histogram slot holding this quantile (the slot's keyed random pick).
        const slot = Number.isFinite(value) ? normHist.slot(u, value) : -1;
        const example = slot >= 0 ? (merged.normSamples.slots[u * slotsPerUnit + slot]?.[0] ?? null) : null;
        return { quantile: q, value, example: example ? stripKey(example) : null };
      });
      out.push({
        layer,
        head,
        topNorm: merged.topNorm.slots[u],
        topAttention: merged.topAttention.slots[u],
        quantileSamples,
        normStats: stats,
        normQuantiles: [0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((q) => ({ quantile: q, value: quantileOf(q) })),
        normHistogram: { edges: normHist.edges(u), counts: normHist.row(u) },
        attentionHistogram: { edges: attnHist.edges(u), counts: attnHist.row(u) },
      });
    }
  }
  return out;
}

function stripKey({ key: _key, ...ex }: HeadExample): HeadExample {
  return ex;
}
