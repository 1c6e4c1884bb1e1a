import type { ActivationCache, ForwardRunner, HookName } from '../../engine/types';
import type { CircuitModel, PatchSite, PatchSweepResult, PromptPair, Task } from '../types';
import { metricOf, readoutHook } from '../metric';
import { runPatched, type PatchPart, type PatchedRun } from './engine';

/**
 * The generic activation-patching sweep (TransformerLens' generic_activation_patch): a grid of cells, each naming
 * the parts of hooks it patches; every (cell, prompt pair) is one batch row of the corrupted prompt with the clean
 * run's values written into the cell's parts. Concrete sweeps (sweeps.ts) are this function with a grid.
 */
export interface SweepSpec {
  site: PatchSite;
  axes: string[];
  shape: number[];
  /** Every hook a cell may patch (intervened in every batch: one session for the sweep). */
  hooks: HookName[];
  /** The parts a cell patches for one pair (values from the clean run), or null to leave the cell out for it. */
  cell: (index: number[], pair: PromptPair) => Array<Omit<PatchPart, 'source' | 'sourceRow'>> | null;
  window?: number;
  /** Only pairs of one token length (per-position grids). */
  sameLength?: boolean;
  maxRows?: number;
}

/** The pairs a sweep uses: all, or those of the most common length when positions are an axis. */
export function pairsFor(task: Task, sameLength: boolean): PromptPair[] {
  if (!sameLength) return task.pairs;
  const counts = new Map<number, number>();
  for (const p of task.pairs) counts.set(p.clean.length, (counts.get(p.clean.length) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  return task.pairs.filter((p) => p.clean.length === best);
}

export interface Baselines {
  /** Clean caches with the sweep's hooks, one per pair (the tensor of its length group and its row there). */
  clean: Array<{ cache: ActivationCache; row: number }>;
  cleanMetric: number[];
  corruptedMetric: number[];
  passes: number;
}

/** Clean and corrupted runs of every pair, in one batch per token length, keeping the clean values of `hooks`. */
export async function runBaselines(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  pairs: PromptPair[],
  hooks: HookName[],
): Promise<Baselines> {
  const readout = readoutHook(model.cfg, task.metric);
  const out: Baselines = { clean: [], cleanMetric: [], corruptedMetric: [], passes: 0 };
  const byLength = new Map<number, number[]>();
  pairs.forEach((p, i) => byLength.set(p.clean.length, [...(byLength.get(p.clean.length) ?? []), i]));
  for (const indices of byLength.values()) {
    const n = indices.length;
    const cache = await runner.run(
      [...indices.map((i) => pairs[i].clean), ...indices.map((i) => pairs[i].corrupted)],
      [...new Set([...hooks, readout])],
    );
    out.passes++;
    indices.forEach((i, row) => {
      out.clean[i] = { cache, row };
      out.cleanMetric[i] = metricOf(model, task.metric === 'kl' ? 'logit_diff' : task.metric, cache, row, pairs[i]);
      out.corruptedMetric[i] = metricOf(model, task.metric === 'kl' ? 'logit_diff' : task.metric, cache, n + row, pairs[i]);
    });
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Runs a sweep: effect per cell = (patched − corrupted) / (clean − corrupted), means over pairs. */
export async function patchSweep(runner: ForwardRunner, model: CircuitModel, task: Task, spec: SweepSpec): Promise<PatchSweepResult> {
  if (task.metric === 'kl') throw new Error('patch sweeps score with logit_diff or prob; kl is for circuit discovery');
  const pairs = pairsFor(task, spec.sameLength ?? false);
  const base = await runBaselines(runner, model, task, pairs, spec.hooks);
  const cells = spec.shape.reduce((a, b) => a * b, 1);
  const runs: PatchedRun[] = [];
  const owner: Array<{ cell: number; pair: number }> = [];
  for (let c = 0; c < cells; c++) {
    const index = spec.shape.map((_, a) => Math.floor(c / spec.shape.slice(a + 1).reduce((x, y) => x * y, 1)) % spec.shape[a]);
    pairs.forEach((pair, p) => {
      const parts = spec.cell(index, pair);
      if (parts === null) return;
      const src = base.clean[p];
      runs.push({
        tokens: pair.corrupted,
        parts: parts.map((part) => ({ ...part, source: src.cache.get(part.hook)!, sourceRow: src.row })),
      });
      owner.push({ cell: c, pair: p });
    });
  }
  const sums = new Float64Array(cells);
  const counts = new Float64Array(cells);
  const passes = await runPatched(
    runner,
    model.cfg,
    runs,
    { intervene: spec.hooks, read: [readoutHook(model.cfg, task.metric)], maxRows: spec.maxRows },
    (cache, row, i) => {
      const { cell, pair } = owner[i];
      sums[cell] += metricOf(model, task.metric, cache, row, pairs[pair]);
      counts[cell]++;
    },
  );
  const clean = mean(base.cleanMetric);
  const corrupted = mean(base.corruptedMetric);
  const metrics = Array.from(sums, (s, c) => (counts[c] > 0 ? s / counts[c] : NaN));
  const gap = clean - corrupted;
  return {
    task: task.name,
    site: spec.site,
    axes: spec.axes,
    shape: spec.shape,
    effects: metrics.map((m) => (gap === 0 || Number.isNaN(m) ? NaN : (m - corrupted) / gap)),
    metrics,
    cleanMetric: clean,
    corruptedMetric: corrupted,
    metric: task.metric,
    ...(spec.window !== undefined ? { window: spec.window } : {}),
    forwardPasses: base.passes + passes,
    rows: runs.length,
    naiveForwardPasses: runs.length + 2 * pairs.length,
  };
}
