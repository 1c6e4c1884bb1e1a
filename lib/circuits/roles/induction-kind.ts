import type { ForwardRunner } from '../../engine/types';
import type { CircuitModel, RoleVerdict, Task } from '../types';
import { metricOf, readoutHook } from '../metric';
import { pathPatch } from '../path-patching';
import { runPatched, type PatchedRun } from '../patching/engine';
import { runBaselines } from '../patching/sweep';
import { normalizeRows, projectRows } from '../receiver-inputs';
import { meanAttention } from './attention';
import { ROLE_THRESHOLDS as T, verdict } from './definitions';
import { lastTokenHeadEffects } from './task-roles';

/**
 * Classic vs positional ("pointer arithmetic") induction heads (open problem 6.23), on repeated random tokens.
 * Induction heads: patching the head's output at the last token restores ≥ 0.1 and it attends to the earlier copy's
 * next token. Then, by ablation of what its keys read: (a) path patching from every earlier head into its keys — a
 * previous-token head (attention to the preceding token ≥ 0.2) with effect ≤ −0.1 makes it classic (K-composition);
 * (b) its keys recomputed from the residual stream minus the positional embedding — a drop ≥ 0.1 with no K-composing
 * head means its keys read position (learned positions only; rotary positions are not in the residual stream).
 */
export async function inductionKindVerdicts(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
): Promise<{ verdicts: RoleVerdict[]; forwardPasses: number }> {
  const { cfg } = model;
  const sweep = await lastTokenHeadEffects(runner, model, task);
  const toSource = await meanAttention(runner, model, task.pairs, 'END', 'SOURCE');
  const toPrevious = await meanAttention(runner, model, task.pairs, 'END', (p) => [p.clean.length - 2]);
  let passes = sweep.forwardPasses + 2;
  const H = cfg.n_heads;
  const out: RoleVerdict[] = [];
  const fmt = (x: number) => x.toFixed(2);
  for (let l = 0; l < cfg.n_layers; l++) {
    for (let h = 0; h < H; h++) {
      const effect = sweep.effects[l * H + h];
      const isInduction = effect >= T.effect && toSource[l][h] >= T.attention;
      if (!isInduction || l === 0) {
        const reason = `not an induction head here (last-token patch ${fmt(effect)}, attention to the copied token ${fmt(toSource[l][h])})`;
        for (const role of ['classic_induction', 'pointer_arithmetic_induction'] as const) {
          out.push(
            verdict(role, l, h, {
              score: 0,
              threshold: T.effect,
              verdict: 'no',
              reason,
              confirmation: { method: 'activation patching at the last token', effect, confirmed: false },
              task: task.name,
            }),
          );
        }
        continue;
      }
      const keys = await pathPatch(runner, model, task, { receiver: { kind: 'heads', heads: [{ layer: l, head: h }], channel: 'k' } });
      passes += keys.forwardPasses;
      let kComp = 0;
      let partner = '';
      keys.effects.forEach((row, sl) =>
        row.forEach((e, sh) => {
          if (toPrevious[sl][sh] >= T.attention && -e > kComp) {
            kComp = -e;
            partner = `L${sl}H${sh}`;
          }
        }),
      );
      const classic = kComp >= T.effect;
      out.push(
        verdict('classic_induction', l, h, {
          score: kComp,
          threshold: T.effect,
          verdict: classic ? 'yes' : 'no',
          reason: classic
            ? `keys K-compose with previous-token head ${partner} (path effect ${fmt(-kComp)})`
            : `no previous-token head's path into its keys reaches ${T.effect}`,
          confirmation: { method: 'path patching: previous-token head → keys', effect: -kComp, confirmed: classic },
          task: task.name,
        }),
      );
      if (cfg.positional_embedding_type !== 'standard') {
        out.push(
          verdict('pointer_arithmetic_induction', l, h, {
            score: NaN,
            threshold: T.effect,
            verdict: 'untestable',
            reason: 'rotary positions are not in the residual stream: the positional ablation does not apply',
            confirmation: { method: 'none', effect: null, confirmed: null },
            task: task.name,
          }),
        );
        continue;
      }
      const drop = await positionalKeyAblation(runner, model, task, l, h);
      passes += drop.forwardPasses;
      const pointer = !classic && drop.effect >= T.effect;
      out.push(
        verdict('pointer_arithmetic_induction', l, h, {
          score: drop.effect,
          threshold: T.effect,
          verdict: pointer ? 'yes' : 'no',
          reason: `removing positions from its keys costs ${fmt(drop.effect)}${classic ? '; its keys K-compose (classic)' : ''}`,
          confirmation: { method: 'keys recomputed without the positional embedding', effect: drop.effect, confirmed: pointer },
          task: task.name,
        }),
      );
    }
  }
  return { verdicts: out, forwardPasses: passes };
}

/** Normalised loss when head (l, h)'s keys are computed from resid_pre − W_pos (clean prompts). */
async function positionalKeyAblation(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  l: number,
  h: number,
): Promise<{ effect: number; forwardPasses: number }> {
  const { cfg, weights } = model;
  const D = cfg.d_model;
  const dh = cfg.d_head;
  const resid = `blocks.${l}.hook_resid_pre`;
  const base = await runBaselines(runner, model, task, task.pairs, [resid]);
  const W_pos = weights.get('pos_embed.W_pos')!.data;
  const W_K = weights.get(`blocks.${l}.attn.W_K`)!;
  const g = Math.floor((h * W_K.shape[0]) / cfg.n_heads);
  const bK = weights.get(`blocks.${l}.attn.b_K`)?.data ?? null;
  const runs: PatchedRun[] = task.pairs.map((pair, p) => {
    const { cache, row } = base.clean[p];
    const Tn = pair.clean.length;
    const x = Float64Array.from(cache.get(resid)!.data.subarray(row * Tn * D, (row + 1) * Tn * D));
    for (let i = 0; i < x.length; i++) x[i] -= W_pos[i];
    normalizeRows(cfg, weights, `blocks.${l}.ln1`, x, Tn);
    const k = projectRows(x, Tn, D, W_K.data, g * D * dh, dh, bK, g * dh);
    const kvHeads = W_K.shape[0];
    const data = new Float32Array(Tn * kvHeads * dh);
    for (let t = 0; t < Tn; t++) data.set(k.subarray(t * dh, (t + 1) * dh), (t * kvHeads + g) * dh);
    return {
      tokens: pair.clean,
      parts: [{ hook: `blocks.${l}.attn.hook_k`, head: g, source: { shape: [1, Tn, kvHeads, dh], data }, sourceRow: 0 }],
    };
  });
  let sum = 0;
  const passes = await runPatched(
    runner,
    cfg,
    runs,
    { intervene: [`blocks.${l}.attn.hook_k`], read: [readoutHook(cfg, task.metric)] },
    (cache, row, i) => {
      sum += metricOf(model, task.metric, cache, row, task.pairs[i]);
    },
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const clean = mean(base.cleanMetric);
  const gap = clean - mean(base.corruptedMetric);
  return { effect: gap === 0 ? 0 : (clean - sum / task.pairs.length) / gap, forwardPasses: base.passes + passes };
}
