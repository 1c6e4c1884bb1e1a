/**
 * From merged scan results to what pages show: per neuron its summary (stats, histogram, quantiles, top,
 * diverse, quantile and random examples), weight effects, and how it compares with random directions.
 */
import type { CanonicalModel } from '@/lib/models/types';
import { UnitStream, type UnitExample, type UnitSummary } from '@/lib/metrics/streaming';
import type { NeuronShardResult, NeuronScanOptions } from './scan';
import type { NeuronSite } from '@/lib/metrics/neurons/sites';
import { layerWeightEffects, type NeuronWeightEffects } from './weight-effects';
import type { MinimalResult } from './minimal-examples';

export interface NeuronRecord {
  layer: number;
  site: NeuronSite;
  neuron: number;
  summary: UnitSummary;
  /** Share of strong top examples (≥ ½ max) whose max token is the most frequent one (1 = always the same token). */
  topTokenShare: number;
  effects: NeuronWeightEffects;
  /** Aligned with summary.top (first few only). */
  minimal?: MinimalResult[];
  /** Filled by compareDatasets. */
  comparison?: DatasetComparison;
}

/** Baseline statistic over the random directions: every direction's value, their mean and standard deviation. */
export interface BaselineStat {
  values: number[];
  mean: number;
  std: number;
}

export const BASELINE_STATS = ['max', 'density', 'skewness', 'kurtosis', 'topTokenShare'] as const;
export type BaselineStatName = (typeof BASELINE_STATS)[number];

export interface NeuronLayerRecord {
  layer: number;
  site: NeuronSite;
  directions: number;
  baseline: Record<BaselineStatName, BaselineStat>;
  neurons: NeuronRecord[];
}

export interface NeuronCorpusWiki {
  corpusSlug: string;
  contexts: number;
  tokens: number;
  options: NeuronScanOptions;
  layers: NeuronLayerRecord[];
}

export interface DatasetComparison {
  otherCorpus: string;
  otherMax: number;
  otherDensity: number;
  /** Jaccard overlap of the two corpora's top-example max tokens (by token text). */
  topTokenOverlap: number;
  warning: string | null;
}

/** Examples that say what a neuron responds to: at least half its top activation (and positive). */
export function strongExamples(top: UnitExample[]): UnitExample[] {
  const max = top[0]?.value ?? 0;
  return top.filter((e) => e.value > 0 && e.value >= 0.5 * max);
}

export function topTokenShare(allTop: UnitExample[]): number {
  const top = strongExamples(allTop);
  if (top.length === 0) return 0;
  const counts = new Map<number, number>();
  for (const e of top) {
    const t = e.tokens[e.pos - e.windowStart];
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / top.length;
}

function statOf(s: UnitSummary, name: BaselineStatName): number {
  return name === 'topTokenShare' ? topTokenShare(s.top) : name === 'max' ? s.stats.max : s.stats[name];
}

export async function finalizeNeuronStats(input: {
  model: CanonicalModel;
  corpusSlug: string;
  merged: NeuronShardResult;
  effectTokens?: number;
}): Promise<NeuronCorpusWiki> {
  const { model, merged } = input;
  const effectsByLayer = new Map<number, NeuronWeightEffects[]>();
  for (const s of merged.streams) {
    if (!effectsByLayer.has(s.layer)) effectsByLayer.set(s.layer, await layerWeightEffects(model, s.layer, input.effectTokens ?? 20));
  }
  const layers = merged.streams.map((s): NeuronLayerRecord => {
    const neurons = UnitStream.from(s.neurons);
    const baseline = UnitStream.from(s.baseline);
    const effects = effectsByLayer.get(s.layer)!;
    const baseSummaries = Array.from({ length: baseline.units }, (_, r) => baseline.summary(r));
    const baselineStats = Object.fromEntries(
      BASELINE_STATS.map((name) => {
        const values = baseSummaries.map((b) => statOf(b, name));
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
        return [name, { values, mean, std }];
      }),
    ) as Record<BaselineStatName, BaselineStat>;
    return {
      layer: s.layer,
      site: s.site,
      directions: baseline.units,
      baseline: baselineStats,
      neurons: Array.from({ length: neurons.units }, (_, n) => {
        const summary = neurons.summary(n);
        return { layer: s.layer, site: s.site, neuron: n, summary, topTokenShare: topTokenShare(summary.top), effects: effects[n] };
      }),
    };
  });
  return { corpusSlug: input.corpusSlug, contexts: merged.contexts, tokens: merged.tokens, options: merged.options, layers };
}

/**
 * Dataset comparison (open problem 6.37): a neuron that fires strongly on both corpora but on different
 * tokens gets a warning — each corpus alone would suggest a different, "monosemantic" story
 * (the interpretability illusion of Bolukbasi et al. 2021).
 */
export function compareDatasets(
  primary: NeuronCorpusWiki,
  other: NeuronCorpusWiki,
  pieceOf: (token: number) => string,
  thresholds: { strength?: number; overlap?: number } = {},
): void {
  const strength = thresholds.strength ?? 0.5;
  const overlapBelow = thresholds.overlap ?? 0.2;
  const otherLayers = new Map(other.layers.map((l) => [`${l.layer}.${l.site}`, l]));
  for (const layer of primary.layers) {
    const o = otherLayers.get(`${layer.layer}.${layer.site}`);
    if (!o) continue;
    for (const n of layer.neurons) {
      const m = o.neurons[n.neuron];
      const a = maxTokenTexts(n.summary.top, pieceOf);
      const b = maxTokenTexts(m.summary.top, pieceOf);
      const inter = [...a].filter((t) => b.has(t)).length;
      const union = new Set([...a, ...b]).size;
      const overlap = union === 0 ? 0 : inter / union;
      const maxA = n.summary.stats.max;
      const maxB = m.summary.stats.max;
      const bothStrong = maxA > 0 && maxB > 0 && Math.min(maxA, maxB) >= strength * Math.max(maxA, maxB);
      const warning =
        bothStrong && overlap < overlapBelow
          ? `Fires about as strongly on ${other.corpusSlug} (max ${maxB.toFixed(2)}) as on ${primary.corpusSlug} (max ${maxA.toFixed(2)}), ` +
            `but on different tokens (top-token overlap ${(overlap * 100).toFixed(0)} %): an explanation drawn from one dataset alone may be an illusion; the neuron looks polysemantic.`
          : null;
      n.comparison = {
        otherCorpus: other.corpusSlug,
        otherMax: maxB,
        otherDensity: m.summary.stats.density,
        topTokenOverlap: overlap,
        warning,
      };
    }
  }
}

function maxTokenTexts(top: UnitExample[], pieceOf: (token: number) => string): Set<string> {
  return new Set(
    strongExamples(top).map((e) =>
      pieceOf(e.tokens[e.pos - e.windowStart])
        .replace(/^▁/, '')
        .trim()
        .toLowerCase(),
    ),
  );
}
