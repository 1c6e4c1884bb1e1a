import type { ForwardRunner } from '../../engine/types';
import type { CircuitModel, RoleVerdict, Task } from '../types';
import { pathPatch } from '../path-patching';
import { meanAttention } from './attention';
import { ROLE_THRESHOLDS as T, verdict } from './definitions';

/**
 * The IOI circuit's roles (Wang et al. 2022; open problem 6.24), found by path patching on a usable IOI task:
 * name movers and negative name movers from the direct paths to the logits and where END attends; S-inhibition
 * heads from the paths to the name movers' queries; duplicate-token and induction heads from the paths to the
 * S-inhibition heads. A head the taxonomy does not describe is not forced into it: a head with a strong direct effect
 * that attends to S rather than IO is no name mover; it is reported in the notes (additive + contrastive circuits
 * write −S directly, Adhikari 2025) and the copy-suppression detector judges its mechanism.
 */

export interface IoiRoleResult {
  verdicts: RoleVerdict[];
  notes: string[];
  /** Direct effect of every head (for copy suppression's confirmation). */
  direct: number[][];
  /** Mean attention from END to IO and to S2 [layer][head] (S-suppression reads them). */
  attention: { toIO: number[][]; toS2: number[][] };
  forwardPasses: number;
}

type Head = { layer: number; head: number };
const heads = (model: CircuitModel): Head[] =>
  Array.from({ length: model.cfg.n_layers }, (_, l) => Array.from({ length: model.cfg.n_heads }, (_, h) => ({ layer: l, head: h }))).flat();
const fmt = (x: number) => x.toFixed(2);

export async function detectIoiRoles(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  runnerFor: (model: CircuitModel) => ForwardRunner,
): Promise<IoiRoleResult> {
  const all = heads(model);
  const notes: string[] = [];
  const verdicts: RoleVerdict[] = [];
  let passes = 0;
  const direct = await pathPatch(runner, model, task, { receiver: { kind: 'logits' } });
  passes += direct.forwardPasses;
  const toIO = await meanAttention(runner, model, task.pairs, 'END', 'IO');
  const toS = await meanAttention(runner, model, task.pairs, 'END', (p) => [...p.positions.S1, ...p.positions.S2]);
  const toS2 = await meanAttention(runner, model, task.pairs, 'END', 'S2');
  const s2ToS1 = await meanAttention(runner, model, task.pairs, 'S2', 'S1');
  const s2ToAfterS1 = await meanAttention(runner, model, task.pairs, 'S2', (p) => [p.positions.S1[0] + 1]);
  passes += 5;
  const conf = (method: string, effect: number, yes: boolean) => ({ method, effect, confirmed: yes });
  const attendsIO = ({ layer: l, head: h }: Head) => toIO[l][h] >= T.attention && toIO[l][h] > toS[l][h];

  const nameMovers: Head[] = [];
  for (const hd of all) {
    const e = direct.effects[hd.layer][hd.head];
    const nm = e <= -T.effect && attendsIO(hd);
    const nnm = e >= T.effect && attendsIO(hd);
    if (nm) nameMovers.push(hd);
    const why = `direct effect ${fmt(e)}, attention END→IO ${fmt(toIO[hd.layer][hd.head])}, END→S ${fmt(toS[hd.layer][hd.head])}`;
    verdicts.push(
      verdict('name_mover', hd.layer, hd.head, {
        score: -e,
        threshold: T.effect,
        verdict: nm ? 'yes' : 'no',
        reason: why,
        confirmation: conf('path patching: head → logits', e, nm),
        task: task.name,
      }),
    );
    verdicts.push(
      verdict('negative_name_mover', hd.layer, hd.head, {
        score: e,
        threshold: T.effect,
        verdict: nnm ? 'yes' : 'no',
        reason: why,
        confirmation: conf('path patching: head → logits', e, nnm),
        task: task.name,
      }),
    );
    if (Math.abs(e) >= T.effect && toS[hd.layer][hd.head] >= T.attention && toS[hd.layer][hd.head] > toIO[hd.layer][hd.head]) {
      notes.push(
        `L${hd.layer}H${hd.head} attends to S (${fmt(toS[hd.layer][hd.head])}) and its direct path moves the logit difference by ${fmt(e)}: ` +
          `${e < 0 ? 'it writes against S (an S-suppressing head, as in additive + contrastive IOI circuits; see the S-suppression role)' : 'it writes S'}, not a name mover`,
      );
    }
  }

  // Backup name movers: the direct effects again with the name movers' outputs zero-ablated.
  const backupScore = new Map<string, number>();
  if (nameMovers.length > 0) {
    const weights = new Map(model.weights);
    for (const nm of nameMovers) {
      const W_O = model.weights.get(`blocks.${nm.layer}.attn.W_O`)!;
      const [, dh, D] = W_O.shape;
      const data = W_O.data.slice();
      data.fill(0, nm.head * dh * D, (nm.head + 1) * dh * D);
      weights.set(`blocks.${nm.layer}.attn.W_O`, { shape: W_O.shape, data });
    }
    const ablated = { cfg: model.cfg, weights };
    const ablatedRunner = runnerFor(ablated);
    const after = await pathPatch(ablatedRunner, ablated, task, { receiver: { kind: 'logits' } });
    const toIOAfter = await meanAttention(ablatedRunner, ablated, task.pairs, 'END', 'IO');
    passes += after.forwardPasses + 1;
    const gap = direct.cleanMetric - direct.corruptedMetric;
    const gapAfter = after.cleanMetric - after.corruptedMetric;
    for (const hd of all) {
      // Raw direct effects (logits), compared on the original clean − corrupted scale: growth toward the answer.
      const growth = (direct.effects[hd.layer][hd.head] * gap - after.effects[hd.layer][hd.head] * gapAfter) / gap;
      if (toIOAfter[hd.layer][hd.head] >= T.attention) backupScore.set(`${hd.layer}.${hd.head}`, growth);
      else backupScore.set(`${hd.layer}.${hd.head}`, Math.min(growth, 0));
    }
  }
  for (const hd of all) {
    const isNm = nameMovers.some((n) => n.layer === hd.layer && n.head === hd.head);
    const s = backupScore.get(`${hd.layer}.${hd.head}`);
    const yes = s !== undefined && !isNm && s >= T.effect;
    verdicts.push(
      verdict('backup_name_mover', hd.layer, hd.head, {
        score: s ?? NaN,
        threshold: T.effect,
        verdict: yes ? 'yes' : 'no',
        reason:
          s === undefined
            ? 'no name movers to knock out'
            : `direct effect grows by ${fmt(s)} with the name movers zero-ablated${isNm ? ' (itself a name mover)' : ''}`,
        confirmation: { method: 'path patching: head → logits, name movers zero-ablated', effect: s ?? null, confirmed: yes },
        task: task.name,
      }),
    );
  }

  // S-inhibition: paths into the name movers' queries.
  const sInhibition: Head[] = [];
  const sinhPath =
    nameMovers.length > 0 ? await pathPatch(runner, model, task, { receiver: { kind: 'heads', heads: nameMovers, channel: 'q' } }) : null;
  passes += sinhPath?.forwardPasses ?? 0;
  for (const hd of all) {
    const e = sinhPath ? sinhPath.effects[hd.layer][hd.head] : NaN;
    const yes =
      sinhPath !== null && e <= -T.effect && toS2[hd.layer][hd.head] >= T.attention && toS2[hd.layer][hd.head] > toIO[hd.layer][hd.head];
    if (yes) sInhibition.push(hd);
    const reason = sinhPath
      ? `path → name movers' queries ${fmt(e)}, attention END→S2 ${fmt(toS2[hd.layer][hd.head])}`
      : 'no name movers: nothing to inhibit';
    verdicts.push(
      verdict('s_inhibition', hd.layer, hd.head, {
        score: -e,
        threshold: T.effect,
        verdict: yes ? 'yes' : 'no',
        reason,
        confirmation: conf("path patching: head → name movers' q", e, yes),
        task: task.name,
      }),
    );
  }

  // Duplicate-token and induction heads: paths into the S-inhibition heads (any of q, k, v).
  let upstream: number[][] | null = null;
  if (sInhibition.length > 0) {
    upstream = all.length ? direct.effects.map((row) => row.map(() => 0)) : [];
    for (const channel of ['q', 'k', 'v'] as const) {
      const r = await pathPatch(runner, model, task, { receiver: { kind: 'heads', heads: sInhibition, channel } });
      passes += r.forwardPasses;
      r.effects.forEach((row, l) => row.forEach((e, h) => (upstream![l][h] = Math.min(upstream![l][h], e))));
    }
  }
  for (const hd of all) {
    const e = upstream ? upstream[hd.layer][hd.head] : NaN;
    for (const [role, attn, what] of [
      ['duplicate_token_ioi', s2ToS1, 'S2→S1'],
      ['induction_ioi', s2ToAfterS1, 'S2→S1+1'],
    ] as const) {
      const yes = upstream !== null && e <= -T.effect && attn[hd.layer][hd.head] >= T.attention;
      const reason = upstream
        ? `path → S-inhibition heads ${fmt(e)}, attention ${what} ${fmt(attn[hd.layer][hd.head])}`
        : 'no S-inhibition heads to feed';
      verdicts.push(
        verdict(role, hd.layer, hd.head, {
          score: -e,
          threshold: T.effect,
          verdict: yes ? 'yes' : 'no',
          reason,
          confirmation: conf('path patching: head → S-inhibition q/k/v', e, yes),
          task: task.name,
        }),
      );
    }
  }
  if (nameMovers.length === 0)
    notes.push(
      'No name movers: the model performs IOI without the paper’s name-mover chain; no S-inhibition or duplicate-token roles are assigned.',
    );
  return { verdicts, notes, direct: direct.effects, attention: { toIO, toS2 }, forwardPasses: passes };
}
