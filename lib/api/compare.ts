/**
 * Per-head metric differences between two published runs: two runs of one model (a recomputation
 * with other options or code) or runs of two models with the same number of layers and heads.
 * `diff = b − a`. Only metrics both runs have are compared; differing metric versions are reported.
 */
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';
import { badRequest, notFoundError } from './errors';
import { loadHeadTable, type HeadTableData } from './head-data';
import { getPublishedRun } from './resolve-run';
import { getModel } from '@/lib/db/models';

export interface MetricDiff {
  a: number | null;
  b: number | null;
  /** b − a; null when either is missing. */
  diff: number | null;
}

export interface HeadComparison {
  layer: number;
  head: number;
  name: string;
  metrics: Record<string, MetricDiff>;
}

export interface MetricComparisonSummary {
  id: string;
  title: string;
  versionA: number;
  versionB: number;
  /** Heads with a value in both runs. */
  heads: number;
  meanAbsDiff: number | null;
  maxAbsDiff: number | null;
  /** Head with the largest |diff|. */
  maxAbsDiffHead: string | null;
  /** Pearson correlation of the two runs' values over heads (null with < 2 heads or no variance). */
  correlation: number | null;
}

export interface RunComparison {
  metrics: MetricComparisonSummary[];
  /** Metric ids only one of the runs has. */
  onlyInA: string[];
  onlyInB: string[];
  heads: HeadComparison[];
}

function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** Pure: both tables must have the same head rows (same shape, layer-major). */
export function compareHeadTables(a: HeadTableData, b: HeadTableData): RunComparison {
  if (a.rows.length !== b.rows.length) throw new Error(`compareHeadTables: ${a.rows.length} vs ${b.rows.length} heads`);
  const idsB = new Set(b.metrics.map((m) => m.id));
  const idsA = new Set(a.metrics.map((m) => m.id));
  const common = a.metrics.filter((m) => idsB.has(m.id));
  const heads: HeadComparison[] = a.rows.map((ra, i) => {
    const rb = b.rows[i];
    const metrics: Record<string, MetricDiff> = {};
    for (const m of common) {
      const va = ra.values[m.id] ?? null;
      const vb = rb.values[m.id] ?? null;
      metrics[m.id] = { a: va, b: vb, diff: va !== null && vb !== null ? vb - va : null };
    }
    return { layer: ra.layer, head: ra.head, name: ra.name, metrics };
  });
  const summaries = common.map((m): MetricComparisonSummary => {
    const xs: number[] = [];
    const ys: number[] = [];
    let maxAbs = -1;
    let maxHead: string | null = null;
    for (const h of heads) {
      const d = h.metrics[m.id];
      if (d.diff === null) continue;
      xs.push(d.a!);
      ys.push(d.b!);
      if (Math.abs(d.diff) > maxAbs) {
        maxAbs = Math.abs(d.diff);
        maxHead = h.name;
      }
    }
    const n = xs.length;
    return {
      id: m.id,
      title: m.title,
      versionA: m.version,
      versionB: b.metrics.find((x) => x.id === m.id)!.version,
      heads: n,
      meanAbsDiff: n > 0 ? xs.reduce((s, x, i) => s + Math.abs(ys[i] - x), 0) / n : null,
      maxAbsDiff: n > 0 ? maxAbs : null,
      maxAbsDiffHead: maxHead,
      correlation: pearson(xs, ys),
    };
  });
  return {
    metrics: summaries,
    onlyInA: a.metrics.filter((m) => !idsB.has(m.id)).map((m) => m.id),
    onlyInB: b.metrics.filter((m) => !idsA.has(m.id)).map((m) => m.id),
    heads,
  };
}

export interface ResolvedComparison {
  a: { run: RunInfo; model: ModelInfo };
  b: { run: RunInfo; model: ModelInfo };
  comparison: RunComparison;
}

/** Loads both runs; 404 when one is not a published run, 400 when the shapes differ. */
export async function loadComparison(runA: string, runB: string): Promise<ResolvedComparison> {
  const load = async (id: string, which: string) => {
    const run = await getPublishedRun(id);
    const model = run ? await getModel(run.modelSlug) : null;
    if (!run || !model) throw notFoundError(`${which}: "${id}" is not a published run; see /api/v1/runs`);
    return { run, model };
  };
  const [a, b] = await Promise.all([load(runA, 'a'), load(runB, 'b')]);
  if (a.model.nLayers !== b.model.nLayers || a.model.nHeads !== b.model.nHeads) {
    throw badRequest(
      `runs of models with different shapes cannot be compared head by head: ${a.model.slug} has ${a.model.nLayers}×${a.model.nHeads} heads, ` +
        `${b.model.slug} has ${b.model.nLayers}×${b.model.nHeads}`,
    );
  }
  const [ta, tb] = await Promise.all([loadHeadTable(a.model, a.run), loadHeadTable(b.model, b.run)]);
  return { a, b, comparison: compareHeadTables(ta, tb) };
}
