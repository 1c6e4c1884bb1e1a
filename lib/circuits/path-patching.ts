import type { ActivationCache, ForwardRunner, HookName } from '../engine/types';
import type { CircuitModel, PathPatchResult, Task } from './types';
import { metricOf, readoutHook } from './metric';
import { runPatched, type PatchPart, type PatchedRun } from './patching/engine';
import { runBaselines } from './patching/sweep';

/**
 * Path patching (Wang et al. 2022, section 3.1; open problem 6.13), in the paper's direction: the corrupted (ABC)
 * value of one sender head reaches only the chosen receivers, everything else sees the clean run.
 *  - sender → logits (direct path): one pass, clean prompt, every head's output (hook_z) and every MLP output
 *    frozen at its clean value except the sender's, set to its corrupted value. The final residual is then the clean
 *    one plus the sender's change, so the logits move by the direct path alone.
 *  - sender → receivers' q, k or v: pass 1 as above, reading the receivers' hook_q|k|v (computed from a residual
 *    where only the sender changed); pass 2, the clean prompt with only those receiver inputs patched in from pass 1.
 * Both passes batch one (sender, prompt pair) per row. Effect = (patched − clean) / (clean − corrupted): −1 means
 * the path carries the whole clean−corrupted difference, positive means the path works against the answer.
 */

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const zHook = (l: number): HookName => `blocks.${l}.attn.hook_z`;
const mlpHook = (l: number): HookName => `blocks.${l}.hook_mlp_out`;

/** Every head output and MLP output of the model: what path patching freezes. */
export function frozenHooks(model: CircuitModel): HookName[] {
  const L = range(model.cfg.n_layers);
  return [...L.map(zHook), ...(model.cfg.attn_only ? [] : L.map(mlpHook))];
}

export async function pathPatch(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { receiver: PathPatchResult['receiver']; maxRows?: number },
): Promise<PathPatchResult> {
  const { cfg } = model;
  const { receiver } = opts;
  if (task.metric === 'kl') throw new Error('path patching scores with logit_diff or prob');
  const receiverHooks: HookName[] = [];
  let lastSenderLayer = cfg.n_layers - 1;
  if (receiver.kind === 'heads') {
    if (receiver.heads.length === 0) throw new Error('path patching: no receiver heads');
    for (const r of receiver.heads) {
      if (!(
        Number.isInteger(r.layer) &&
        r.layer >= 0 &&
        r.layer < cfg.n_layers &&
        Number.isInteger(r.head) &&
        r.head >= 0 &&
        r.head < cfg.n_heads
      )) {
        throw new Error(`path patching: receiver L${r.layer}H${r.head} is not a head of this model`);
      }
      receiverHooks.push(`blocks.${r.layer}.attn.hook_${receiver.channel}`);
    }
    lastSenderLayer = Math.max(...receiver.heads.map((r) => r.layer)) - 1;
  }
  const frozen = frozenHooks(model);
  const pairs = task.pairs;
  const base = await runBaselines(runner, model, task, pairs, frozen);
  // Corrupted caches: the baseline batch holds clean rows then corrupted rows, in the same tensors.
  const corruptedRow = (p: number) => base.clean[p].row + base.clean[p].cache.get(readoutHook(cfg, task.metric))!.shape[0] / 2;
  const senders = range(lastSenderLayer + 1).flatMap((l) => range(cfg.n_heads).map((h) => ({ layer: l, head: h })));

  // Pass 1 (and the whole computation for the direct path): freeze everything, corrupt the sender.
  const pass1: PatchedRun[] = [];
  const owner: Array<{ sender: number; pair: number }> = [];
  senders.forEach((s, si) => {
    pairs.forEach((pair, p) => {
      const { cache, row } = base.clean[p];
      const parts: PatchPart[] = frozen.map((hook) => ({ hook, source: cache.get(hook)!, sourceRow: row }));
      parts.push({ hook: zHook(s.layer), head: s.head, source: cache.get(zHook(s.layer))!, sourceRow: corruptedRow(p) });
      pass1.push({ tokens: pair.clean, parts });
      owner.push({ sender: si, pair: p });
    });
  });
  const sums = new Float64Array(senders.length);
  const read1 = receiver.kind === 'logits' ? [readoutHook(cfg, task.metric)] : [...new Set(receiverHooks)];
  const pass1Out: Array<{ cache: ActivationCache; row: number }> = [];
  let passes = base.passes;
  passes += await runPatched(runner, cfg, pass1, { intervene: frozen, read: read1, maxRows: opts.maxRows }, (cache, row, i) => {
    if (receiver.kind === 'logits') sums[owner[i].sender] += metricOf(model, task.metric, cache, row, pairs[owner[i].pair]);
    else pass1Out[i] = { cache, row };
  });

  if (receiver.kind === 'heads') {
    // Pass 2: the clean run with only the receivers' inputs taken from pass 1.
    const kvHead = (h: number) => Math.floor((h * cfg.n_key_value_heads) / cfg.n_heads);
    const pass2: PatchedRun[] = pass1.map((run, i) => ({
      tokens: run.tokens,
      parts: receiver.heads.map((r, j) => ({
        hook: receiverHooks[j],
        head: receiver.channel === 'q' ? r.head : kvHead(r.head),
        source: pass1Out[i].cache.get(receiverHooks[j])!,
        sourceRow: pass1Out[i].row,
      })),
    }));
    passes += await runPatched(
      runner,
      cfg,
      pass2,
      { intervene: [...new Set(receiverHooks)], read: [readoutHook(cfg, task.metric)], maxRows: opts.maxRows },
      (cache, row, i) => {
        sums[owner[i].sender] += metricOf(model, task.metric, cache, row, pairs[owner[i].pair]);
      },
    );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const clean = mean(base.cleanMetric);
  const corrupted = mean(base.corruptedMetric);
  const gap = clean - corrupted;
  const effects = range(cfg.n_layers).map((l) =>
    range(cfg.n_heads).map((h) => {
      const si = senders.findIndex((s) => s.layer === l && s.head === h);
      if (si < 0) return 0; // not upstream of every receiver: no path
      return gap === 0 ? NaN : (sums[si] / pairs.length - clean) / gap;
    }),
  );
  return {
    task: task.name,
    receiver,
    effects,
    cleanMetric: clean,
    corruptedMetric: corrupted,
    forwardPasses: passes,
    naiveForwardPasses: 2 + pass1.length * (receiver.kind === 'logits' ? 1 : 2),
  };
}
