/** Neuron wiki → database rows of a running run (lib/db/neurons.ts). */
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { UnitExample } from '@/lib/metrics/streaming';
import {
  saveNeuronCorpus,
  type NeuronLayerRow,
  type NeuronToSave,
  type StoredNeuronExample,
  type NeuronExampleKind,
} from '@/lib/db/neurons';
import type { NeuronCorpusWiki, NeuronRecord } from './finalize';
import type { TokenScore } from './weight-effects';
import { minimalRate, type MinimalResult } from './minimal-examples';
import { splitContextId } from './contexts';

function toStored(
  e: UnitExample,
  kind: NeuronExampleKind,
  rank: number,
  tokenizer: Tokenizer,
  extra: Partial<StoredNeuronExample> = {},
): StoredNeuronExample {
  const { docIndex, chunk } = splitContextId(e.doc);
  return {
    kind,
    rank,
    value: e.value,
    contextId: e.doc,
    docIndex,
    chunk,
    position: e.pos,
    windowStart: e.windowStart,
    tokenIds: e.tokens,
    tokens: e.tokens.map((t) => tokenizer.piece(t)),
    acts: e.acts,
    ...extra,
  };
}

export function neuronExamples(n: NeuronRecord, tokenizer: Tokenizer): StoredNeuronExample[] {
  const s = n.summary;
  const minimalOf = (i: number): MinimalResult | undefined => n.minimal?.[i];
  return [
    ...s.top.map((e, i) => toStored(e, 'top', i, tokenizer, minimalOf(i) ? { minimal: minimalOf(i) } : {})),
    ...s.diverse.map((e, i) => toStored(e, 'diverse', i, tokenizer)),
    ...s.quantileSamples.flatMap((q, i) => (q.example ? [toStored(q.example, 'quantile', i, tokenizer, { quantile: q.q })] : [])),
    ...s.random.map((e, i) => toStored(e, 'random', i, tokenizer)),
  ];
}

export function neuronWikiRows(wiki: NeuronCorpusWiki, tokenizer: Tokenizer): { layers: NeuronLayerRow[]; neurons: NeuronToSave[] } {
  const scores = (list: TokenScore[] | undefined) =>
    list?.map((t) => ({ token: t.token, piece: tokenizer.piece(t.token), score: t.score }));
  const layers: NeuronLayerRow[] = wiki.layers.map((l) => ({
    corpusSlug: wiki.corpusSlug,
    layer: l.layer,
    site: l.site,
    nNeurons: l.neurons.length,
    contexts: wiki.contexts,
    tokens: wiki.tokens,
    baseline: { directions: l.directions, stats: l.baseline },
    options: { ...wiki.options },
  }));
  const neurons: NeuronToSave[] = wiki.layers.flatMap((l) =>
    l.neurons.map((n) => {
      const s = n.summary;
      const h = s.histogram;
      return {
        stats: {
          corpusSlug: wiki.corpusSlug,
          layer: n.layer,
          site: n.site,
          neuron: n.neuron,
          count: s.stats.count,
          maxAct: s.stats.max,
          minAct: s.stats.min,
          mean: s.stats.mean,
          variance: s.stats.variance,
          skewness: s.stats.skewness,
          kurtosis: s.stats.kurtosis,
          density: s.stats.density,
          topTokenShare: n.topTokenShare,
          histLo: h.edges[0],
          histHi: h.edges[h.edges.length - 1],
          histogram: [h.underflow, ...h.counts, h.overflow],
          quantileLevels: s.quantiles.map((q) => q.q),
          quantiles: s.quantiles.map((q) => q.value),
          effects: {
            logitTop: scores(n.effects.logitTop)!,
            logitBottom: scores(n.effects.logitBottom)!,
            inputTop: scores(n.effects.inputTop)!,
            ...(n.effects.gateTop ? { gateTop: scores(n.effects.gateTop) } : {}),
          },
          minimalRate: n.minimal ? minimalRate(n.minimal) : null,
          comparison: n.comparison ?? null,
          warning: n.comparison?.warning ?? null,
        },
        examples: neuronExamples(n, tokenizer),
      };
    }),
  );
  return { layers, neurons };
}

/** Saves every corpus' neuron wiki into a running run. */
export async function saveNeuronWiki(runId: string, wikis: NeuronCorpusWiki[], tokenizer: Tokenizer): Promise<void> {
  for (const wiki of wikis) {
    const { layers, neurons } = neuronWikiRows(wiki, tokenizer);
    await saveNeuronCorpus(runId, layers, neurons);
  }
}
