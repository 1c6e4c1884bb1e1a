import type { ForwardRunner, HookName } from '../../engine/types';
import type { CircuitModel, PatchSweepResult, RoleVerdict, Task } from '../types';
import { patchSweep } from '../patching/sweep';
import { pathPatch } from '../path-patching';
import { meanAttention } from './attention';
import { ROLE_THRESHOLDS as T, verdict } from './definitions';

/**
 * Roles measured on one task each: function-vector and translation heads (average indirect effect at the last
 * token, Todd et al. 2023; open problems 6.21, 6.22) and fact movers (direct path + attention to the subject,
 * open problem 6.25).
 */

const fmt = (x: number) => x.toFixed(2);

/** Each head's output at the last token patched clean → corrupted: Todd et al.'s indirect effect, normalised. */
export function lastTokenHeadEffects(runner: ForwardRunner, model: CircuitModel, task: Task): Promise<PatchSweepResult> {
  const hookOf = (l: number): HookName => `blocks.${l}.attn.hook_z`;
  return patchSweep(runner, model, task, {
    site: 'head_out',
    axes: ['layer', 'head'],
    shape: [model.cfg.n_layers, model.cfg.n_heads],
    hooks: Array.from({ length: model.cfg.n_layers }, (_, l) => hookOf(l)),
    cell: ([l, h], pair) => [{ hook: hookOf(l), head: h, positions: [pair.clean.length - 1] }],
  });
}

/** Function-vector heads (mean AIE over the usable ICL tasks) or translation heads (the translation task alone). */
export function aieVerdicts(role: 'function_vector' | 'translation', sweeps: PatchSweepResult[]): RoleVerdict[] {
  const out: RoleVerdict[] = [];
  const [L, H] = sweeps[0].shape;
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const aie = sweeps.reduce((s, r) => s + r.effects[l * H + h], 0) / sweeps.length;
      const yes = aie >= T.aie;
      out.push(
        verdict(role, l, h, {
          score: aie,
          threshold: T.aie,
          verdict: yes ? 'yes' : 'no',
          reason: `average indirect effect ${fmt(aie)} over ${sweeps.map((s) => s.task).join(', ')}`,
          confirmation: { method: 'activation patching at the last token (clean → shuffled labels)', effect: aie, confirmed: yes },
          task: sweeps.map((s) => s.task).join(','),
        }),
      );
    }
  }
  return out;
}

/** Fact movers: the direct path carries the answer and the last token attends to the subject. */
export async function factMoverVerdicts(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
): Promise<{ verdicts: RoleVerdict[]; forwardPasses: number }> {
  const direct = await pathPatch(runner, model, task, { receiver: { kind: 'logits' } });
  const toSubject = await meanAttention(runner, model, task.pairs, 'END', 'SUBJECT');
  const out: RoleVerdict[] = [];
  direct.effects.forEach((row, l) =>
    row.forEach((e, h) => {
      const yes = e <= -T.effect && toSubject[l][h] >= T.attention;
      out.push(
        verdict('fact_mover', l, h, {
          score: -e,
          threshold: T.effect,
          verdict: yes ? 'yes' : 'no',
          reason: `direct effect ${fmt(e)}, attention last token → subject ${fmt(toSubject[l][h])}`,
          confirmation: { method: 'path patching: head → logits (other subject)', effect: e, confirmed: yes },
          task: task.name,
        }),
      );
    }),
  );
  return { verdicts: out, forwardPasses: direct.forwardPasses + 1 };
}
