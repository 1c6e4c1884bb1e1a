import type { ForwardRunner, HookName } from '../../engine/types';
import { makeRng } from '../../sampling/random';
import type { CircuitModel, PatchSweepResult, Task } from '../types';
import { metricOf, readoutHook } from '../metric';
import { runPatched, type PatchPart, type PatchedRun } from './engine';
import { pairsFor, runBaselines } from './sweep';

/**
 * Causal tracing (Meng et al. 2022, ROME; open problem 6.14): the corruption is Gaussian noise (σ = `noiseScale` ×
 * the standard deviation of W_E's entries, ROME's 3σ) added to the token embeddings at the SUBJECT positions of the
 * CLEAN prompt, instead of a corrupted prompt. Each cell restores one clean activation in the noised run: the residual
 * stream before layer l at position p (site resid_pre, grid [layer, pos]), or a window of attention / MLP outputs of
 * adjacent layers at the subject's last token (attn_window / mlp_window, grid [layer]) — the same grids as activation
 * patching (sweeps.ts), so both can be read side by side on one task. Effect = (restored − noised) / (clean − noised).
 * The noise is seeded and the same for every cell of a prompt pair.
 */
export async function causalTrace(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { site?: 'resid_pre' | 'attn_window' | 'mlp_window'; window?: number; noiseScale?: number; seed?: number; maxRows?: number } = {},
): Promise<PatchSweepResult> {
  const { cfg, weights } = model;
  const site = opts.site ?? 'resid_pre';
  const window = opts.window ?? 1;
  if (site !== 'resid_pre' && (!Number.isInteger(window) || window < 1 || window > cfg.n_layers))
    throw new Error(`window must be in 1..${cfg.n_layers}`);
  if (site === 'mlp_window' && cfg.attn_only) throw new Error(`${cfg.model_name} is attention-only: no MLP outputs`);
  if (task.metric === 'kl') throw new Error('causal tracing scores with logit_diff or prob');
  const pairs = pairsFor(task, site === 'resid_pre').filter((p) => (p.positions.SUBJECT ?? []).length > 0);
  if (pairs.length === 0) throw new Error(`causal tracing needs prompts with SUBJECT positions (task ${task.name} has none)`);
  const W_E = weights.get('embed.W_E')!.data;
  let s1 = 0;
  let s2 = 0;
  for (const x of W_E) {
    s1 += x;
    s2 += x * x;
  }
  const sigma = (opts.noiseScale ?? 3) * Math.sqrt(s2 / W_E.length - (s1 / W_E.length) ** 2);
  const rng = makeRng(opts.seed ?? 17);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const L = cfg.n_layers;
  const T = pairs[0].clean.length;
  const hookOf = (l: number): HookName =>
    site === 'resid_pre' ? `blocks.${l}.hook_resid_pre` : `blocks.${l}.hook_${site === 'attn_window' ? 'attn_out' : 'mlp_out'}`;
  const hooks = Array.from({ length: L }, (_, l) => hookOf(l));
  const readout = readoutHook(cfg, task.metric);
  const D = cfg.d_model;
  let passes = 0;
  // Clean runs (source values) and the noise of each pair.
  const base = await runBaselines(runner, model, task, pairs, ['hook_embed', ...hooks]);
  passes += base.passes;
  const clean = base.clean;
  const cleanMetric = base.cleanMetric;
  const noise = pairs.map((pair) => {
    const n = new Float32Array(pair.clean.length * D);
    for (const pos of pair.positions.SUBJECT) for (let d = 0; d < D; d++) n[pos * D + d] = sigma * gauss();
    return n;
  });
  const grid = site === 'resid_pre' ? [L, T] : [L];
  const cells = grid.reduce((a, b) => a * b, 1);
  const runs: PatchedRun[] = [];
  const owner: Array<{ cell: number; pair: number }> = [];
  // Cell −1: the noised run alone (the baseline every effect is measured from).
  for (let c = -1; c < cells; c++) {
    pairs.forEach((pair, p) => {
      const noised = {
        hook: 'hook_embed',
        positions: pair.positions.SUBJECT,
        source: clean[p].cache.get('hook_embed')!,
        sourceRow: clean[p].row,
        add: noise[p],
      };
      const parts: PatchPart[] = [noised];
      if (c >= 0) {
        const last = pair.positions.SUBJECT.at(-1)!;
        if (site === 'resid_pre') {
          const [l, pos] = [Math.floor(c / T), c % T];
          parts.push({ hook: hookOf(l), positions: [pos], source: clean[p].cache.get(hookOf(l))!, sourceRow: clean[p].row });
        } else {
          const lo = Math.max(0, Math.min(c - Math.floor(window / 2), L - window));
          for (let l = lo; l < lo + window; l++)
            parts.push({
              hook: hookOf(l),
              positions: [last],
              source: clean[p].cache.get(hookOf(l))!,
              sourceRow: clean[p].row,
            });
        }
      }
      runs.push({ tokens: pair.clean, parts });
      owner.push({ cell: c, pair: p });
    });
  }
  const sums = new Float64Array(cells + 1);
  passes += await runPatched(
    runner,
    cfg,
    runs,
    { intervene: ['hook_embed', ...hooks], read: [readout], maxRows: opts.maxRows },
    (cache, row, i) => {
      sums[owner[i].cell + 1] += metricOf(model, task.metric, cache, row, pairs[owner[i].pair]);
    },
  );
  const metrics = Array.from(sums, (s) => s / pairs.length);
  const noised = metrics.shift()!;
  const cleanMean = cleanMetric.reduce((a, b) => a + b, 0) / pairs.length;
  const gap = cleanMean - noised;
  return {
    task: task.name,
    site: site === 'resid_pre' ? 'causal_trace' : site,
    axes: site === 'resid_pre' ? ['layer', 'pos'] : ['layer'],
    shape: grid,
    effects: metrics.map((m) => (gap === 0 ? NaN : (m - noised) / gap)),
    metrics,
    cleanMetric: cleanMean,
    corruptedMetric: noised,
    metric: task.metric,
    ...(site !== 'resid_pre' ? { window } : {}),
    forwardPasses: passes,
    rows: runs.length,
    naiveForwardPasses: runs.length + pairs.length,
  };
}
