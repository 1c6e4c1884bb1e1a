/**
 * What the neuron pages and the neuron API read: a layer's neuron scan (the run's corpus, plus any
 * comparison corpus), one neuron's statistics and examples. Pure reads of the database.
 */
import { z } from 'zod';
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';
import {
  getNeuronExamples,
  getNeuronLayers,
  getNeuronStats,
  NEURON_SORT_KEYS,
  type NeuronLayerRow,
  type NeuronStatsRow,
  type StoredNeuronExample,
} from '@/lib/db/neurons';
import { topOverlap, type TopOverlap } from '@/lib/metrics/neurons/top-overlap';

export const siteSchema = z.enum(['post', 'pre', 'mid'], {
  error: 'must be "post", "pre" or "mid" (TransformerLens mlp.hook_post/hook_pre/hook_mid)',
});
export const neuronSortSchema = z.enum(NEURON_SORT_KEYS, { error: `must be one of ${NEURON_SORT_KEYS.join(', ')}` });

export interface NeuronLayerScan {
  /** The run's corpus. */
  primary: NeuronLayerRow;
  /** Comparison corpora (stories vs code). */
  others: NeuronLayerRow[];
  /** Sites this layer was scanned at. */
  sites: string[];
}

/** The layer's scan at `site`, or null when the run has no neuron data there. */
export async function loadNeuronLayer(run: RunInfo, layer: number, site: string): Promise<NeuronLayerScan | null> {
  const rows = (await getNeuronLayers(run.id)).filter((r) => r.layer === layer);
  const atSite = rows.filter((r) => r.site === site);
  const primary = atSite.find((r) => r.corpusSlug === run.corpusSlug) ?? atSite[0];
  if (!primary) return null;
  return { primary, others: atSite.filter((r) => r !== primary), sites: [...new Set(rows.map((r) => r.site))] };
}

export async function runHasNeurons(run: RunInfo): Promise<boolean> {
  return (await getNeuronLayers(run.id)).length > 0;
}

export interface NeuronDetail {
  layer: NeuronLayerScan;
  stats: NeuronStatsRow;
  examples: StoredNeuronExample[];
  /** The same neuron on each comparison corpus: its top examples, and its diverse ones (what pages show). */
  others: { corpusSlug: string; stats: NeuronStatsRow | null; examples: StoredNeuronExample[]; diverse: StoredNeuronExample[] }[];
}

export async function loadNeuronDetail(run: RunInfo, scan: NeuronLayerScan, neuron: number): Promise<NeuronDetail | null> {
  const { primary } = scan;
  const [stats, examples] = await Promise.all([
    getNeuronStats(run.id, primary.corpusSlug, primary.layer, primary.site, neuron),
    getNeuronExamples(run.id, primary.corpusSlug, primary.layer, primary.site, neuron),
  ]);
  if (!stats) return null;
  const others = await Promise.all(
    scan.others.map(async (o) => {
      const [otherStats, all] = await Promise.all([
        getNeuronStats(run.id, o.corpusSlug, o.layer, o.site, neuron),
        getNeuronExamples(run.id, o.corpusSlug, o.layer, o.site, neuron),
      ]);
      return {
        corpusSlug: o.corpusSlug,
        stats: otherStats,
        examples: all.filter((e) => e.kind === 'top'),
        diverse: all.filter((e) => e.kind === 'diverse'),
      };
    }),
  );
  return { layer: scan, stats, examples, others };
}

/** One neuron at every scanned site of its layer (SoLU: pre, mid, post; 6.38), against the page's site. */
export interface SiteView {
  site: string;
  maxAct: number;
  density: number;
  topTokenShare: number;
  /** Consistency of this site's top examples with the page site's. */
  overlap: TopOverlap;
}

export async function loadSiteViews(
  run: RunInfo,
  scan: NeuronLayerScan,
  neuron: number,
  current: StoredNeuronExample[],
): Promise<SiteView[]> {
  if (scan.sites.length < 2) return [];
  const { corpusSlug, layer } = scan.primary;
  const place = (e: StoredNeuronExample) => ({ contextId: e.contextId, token: e.tokenIds[e.position - e.windowStart] });
  const mine = current.filter((e) => e.kind === 'top').map(place);
  const views = await Promise.all(
    scan.sites.map(async (site) => {
      const [stats, examples] = await Promise.all([
        getNeuronStats(run.id, corpusSlug, layer, site, neuron),
        getNeuronExamples(run.id, corpusSlug, layer, site, neuron),
      ]);
      if (!stats) return null;
      const theirs = examples.filter((e) => e.kind === 'top').map(place);
      return { site, maxAct: stats.maxAct, density: stats.density, topTokenShare: stats.topTokenShare, overlap: topOverlap(mine, theirs) };
    }),
  );
  return views.filter((v): v is SiteView => v !== null);
}

export function neuronExists(model: ModelInfo, layer: number, neuron: number): boolean {
  return layer < model.nLayers && neuron < model.dMlp;
}

/** Where a neuron sits relative to the baseline's random directions: z-score of each statistic. */
export function baselineComparison(stats: NeuronStatsRow, baseline: NeuronLayerRow['baseline']) {
  const value: Record<string, number> = {
    max: stats.maxAct,
    density: stats.density,
    skewness: stats.skewness,
    kurtosis: stats.kurtosis,
    topTokenShare: stats.topTokenShare,
  };
  return Object.entries(baseline.stats).map(([name, b]) => {
    const v = value[name];
    const rank = b.values.filter((x) => x < v).length / Math.max(1, b.values.length);
    return { name, value: v, mean: b.mean, std: b.std, z: b.std > 0 ? (v - b.mean) / b.std : null, percentile: rank };
  });
}

/** The neuron's JSON for the API. */
export function neuronJson(detail: NeuronDetail) {
  const { layer, stats, examples, others } = detail;
  return {
    stats,
    baseline: { directions: layer.primary.baseline.directions, comparison: baselineComparison(stats, layer.primary.baseline) },
    scan: {
      corpus: layer.primary.corpusSlug,
      contexts: layer.primary.contexts,
      tokens: layer.primary.tokens,
      options: layer.primary.options,
    },
    examples,
    otherCorpora: others.map((o) => ({ corpus: o.corpusSlug, stats: o.stats, top: o.examples })),
  };
}
