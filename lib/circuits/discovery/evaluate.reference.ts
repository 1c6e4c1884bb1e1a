import type { ActivationCache, ForwardRunner, HookName } from '../../engine/types';
import type { CircuitModel, MetricKind, PromptPair } from '../types';
import { runPatched, type PatchPart, type PatchedRun } from '../patching/engine';
import { normalizeRows, projectRows } from '../receiver-inputs';
import { receiverHooks, edgeKey, type Receiver, type Sender } from './graph';

/**
 * THE PLAIN-TYPESCRIPT CHECK of the edge evaluator (evaluate.ts computes the same in the graph; tests compare the two).
 * Evaluates edge configurations exactly: in a configuration, a removed edge s → R means R reads s's CORRUPTED output
 * while every other input of R is what the current (partly pruned) model computes. R's input is therefore
 *   x_R = (R's residual input in this run) − Σ_{removed s → R} (out_s(this run) − out_s(corrupted run)),
 * recomputed in TypeScript through the block's norm and R's input projection and patched into hook_q|k|v /
 * mlp.hook_pre, and the logits' input likewise (the metric is read in TypeScript). Because the patches of one run
 * depend on that run's own sender outputs, a configuration is solved by repeated forward passes, each starting from
 * the previous one's values: the graph is a DAG, so after as many passes as there are patched stages (layers'
 * attention / MLP) every patched input is exact. Every batch row is its own configuration × prompt pair.
 */

import { isRemoved, type Configuration } from './evaluate';

/** One run's values: a row of a cache holding every hook below. */
interface RowValues {
  cache: ActivationCache;
  row: number;
}

export class ReferenceConfigurationEvaluator {
  readonly read: HookName[];
  readonly intervene: HookName[];
  forwardPasses = 0;
  /** Senders whose output is zero whatever their input (W_O or W_out all zero): their edges change nothing. */
  private readonly inert: Set<string>;

  constructor(
    private readonly runner: ForwardRunner,
    private readonly model: CircuitModel,
    private readonly pairs: PromptPair[],
    private readonly receivers: Receiver[],
    private readonly metric: MetricKind,
    private readonly clean: RowValues[],
    private readonly corrupted: RowValues[],
    private readonly cleanLogProbs: Float64Array[],
    private readonly maxRows?: number,
  ) {
    this.read = valueHooks(model);
    this.intervene = [...new Set(receivers.flatMap((r) => receiverHooks(model.cfg, r)))];
    this.inert = inertSenders(model);
  }

  /** Mean metric per configuration (higher = closer to clean; kl is reported as −KL). */
  async evaluate(configs: Configuration[]): Promise<number[]> {
    const { pairs } = this;
    const rows = configs.flatMap((c, ci) => pairs.map((_, p) => ({ config: ci, pair: p })));
    let state: RowValues[] = rows.map((r) => this.clean[r.pair]);
    const patched = this.receivers.filter((r) => r.channel !== 'logits');
    const stages = new Set<number>();
    for (const c of configs) {
      for (const r of patched) if (r.senders.some((s) => !this.inert.has(s.id) && isRemoved(c, edgeKey(s.id, r)))) stages.add(r.stage);
    }
    for (let pass = 0; pass < stages.size; pass++) {
      const runs: PatchedRun[] = rows.map((row, i) => ({
        tokens: pairs[row.pair].clean,
        parts: patched.flatMap((r) => this.receiverPatch(r, configs[row.config], state[i], this.corrupted[row.pair])),
      }));
      const next: RowValues[] = [];
      this.forwardPasses += await runPatched(
        this.runner,
        this.model.cfg,
        runs,
        { intervene: this.intervene, read: this.read, maxRows: this.maxRows, maxTokens: 16384 },
        (cache, row, i) => {
          next[i] = { cache, row };
        },
      );
      state = next;
    }
    const sums = new Float64Array(configs.length);
    rows.forEach((row, i) => {
      sums[row.config] += this.metricOf(configs[row.config], state[i], row.pair);
    });
    return Array.from(sums, (s) => s / pairs.length);
  }

  /** The residual a receiver reads in a run, with its removed senders' contributions swapped for the corrupted ones. */
  private receiverResidual(
    r: Receiver,
    config: Configuration,
    now: RowValues,
    corrupted: RowValues,
  ): { x: Float64Array; T: number; edited: boolean } {
    const { cfg } = this.model;
    const hook =
      r.channel === 'logits'
        ? `blocks.${cfg.n_layers - 1}.hook_resid_post`
        : r.channel === 'mlp_in' && !cfg.parallel_attn_mlp
          ? `blocks.${r.layer}.hook_resid_mid`
          : `blocks.${r.layer}.hook_resid_pre`;
    const base = now.cache.get(hook)!;
    const T = base.shape[1];
    const D = cfg.d_model;
    const x = Float64Array.from(base.data.subarray(now.row * T * D, (now.row + 1) * T * D));
    let edited = false;
    for (const s of r.senders) {
      if (this.inert.has(s.id) || !isRemoved(config, edgeKey(s.id, r))) continue;
      const a = senderOutput(this.model, s, now);
      const b = senderOutput(this.model, s, corrupted);
      for (let i = 0; i < x.length; i++) {
        if (a[i] === b[i]) continue;
        x[i] += b[i] - a[i];
        edited = true;
      }
    }
    return { x, T, edited };
  }

  private receiverPatch(r: Receiver, config: Configuration, now: RowValues, corrupted: RowValues): PatchPart[] {
    const { cfg, weights } = this.model;
    const { x, T, edited } = this.receiverResidual(r, config, now, corrupted);
    if (!edited) return [];
    const D = cfg.d_model;
    if (r.channel === 'mlp_in') {
      normalizeRows(cfg, weights, `blocks.${r.layer}.ln2`, x, T);
      const M = cfg.d_mlp;
      const b = `blocks.${r.layer}.mlp`;
      const parts: PatchPart[] = [];
      const add = (hook: HookName, W: string, bias: Float32Array | null) => {
        const data = projectRows(x, T, D, weights.get(W)!.data, 0, M, bias);
        parts.push({ hook, source: { shape: [1, T, M], data }, sourceRow: 0 });
      };
      if (cfg.gated_mlp) {
        add(`${b}.hook_pre`, `${b}.W_gate`, null);
        add(`${b}.hook_pre_linear`, `${b}.W_in`, null);
      } else add(`${b}.hook_pre`, `${b}.W_in`, weights.get(`${b}.b_in`)?.data ?? null);
      return parts;
    }
    normalizeRows(cfg, weights, `blocks.${r.layer}.ln1`, x, T);
    const name = r.channel === 'q' ? 'Q' : r.channel === 'k' ? 'K' : 'V';
    const W = weights.get(`blocks.${r.layer}.attn.W_${name}`)!;
    const heads = W.shape[0];
    const dh = cfg.d_head;
    const bias = weights.get(`blocks.${r.layer}.attn.b_${name}`)?.data ?? null;
    const y = projectRows(x, T, D, W.data, r.head! * D * dh, dh, bias, r.head! * dh);
    // A [1, T, heads, d_head] source with only this head's slice filled (the patch copies that slice alone).
    const data = new Float32Array(T * heads * dh);
    for (let t = 0; t < T; t++) data.set(y.subarray(t * dh, (t + 1) * dh), (t * heads + r.head!) * dh);
    return [{ hook: receiverHooks(cfg, r)[0], head: r.head!, source: { shape: [1, T, heads, dh], data }, sourceRow: 0 }];
  }

  /** The metric from the logits' (edited) input: the final norm and unembedding in TypeScript. */
  private metricOf(config: Configuration, now: RowValues, p: number): number {
    const { cfg, weights } = this.model;
    const logitsReceiver = this.receivers.find((r) => r.channel === 'logits')!;
    const { x, T } = this.receiverResidual(logitsReceiver, config, now, this.corrupted[p]);
    const D = cfg.d_model;
    const end = Float64Array.from(x.subarray((T - 1) * D, T * D));
    normalizeRows(cfg, weights, 'ln_final', end, 1);
    const W_U = weights.get('unembed.W_U')!;
    const V = W_U.shape[1];
    const b_U = weights.get('unembed.b_U')?.data ?? null;
    const pair = this.pairs[p];
    if (this.metric === 'logit_diff') {
      let diff = b_U ? b_U[pair.answer] - b_U[pair.wrong] : 0;
      for (let d = 0; d < D; d++) diff += end[d] * (W_U.data[d * V + pair.answer] - W_U.data[d * V + pair.wrong]);
      return diff;
    }
    const logits = projectRows(end, 1, D, W_U.data, 0, V, b_U);
    const lp = logSoftmax(logits);
    if (this.metric === 'prob') return Math.exp(lp[pair.answer]);
    let kl = 0;
    const clean = this.cleanLogProbs[p];
    for (let v = 0; v < V; v++) kl += Math.exp(clean[v]) * (clean[v] - lp[v]);
    return -kl;
  }
}

export function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const l of logits) max = Math.max(max, l);
  let z = 0;
  for (const l of logits) z += Math.exp(l - max);
  const lz = max + Math.log(z);
  return Float64Array.from(logits, (l) => l - lz);
}

/** Heads with an all-zero W_O block and MLPs with an all-zero W_out write nothing, in any run. */
function inertSenders(model: CircuitModel): Set<string> {
  const { cfg, weights } = model;
  const out = new Set<string>();
  for (let l = 0; l < cfg.n_layers; l++) {
    const W_O = weights.get(`blocks.${l}.attn.W_O`)!;
    const block = cfg.d_head * cfg.d_model;
    for (let h = 0; h < cfg.n_heads; h++) if (W_O.data.subarray(h * block, (h + 1) * block).every((v) => v === 0)) out.add(`L${l}H${h}`);
    const W_out = weights.get(`blocks.${l}.mlp.W_out`);
    if (W_out && W_out.data.every((v) => v === 0)) out.add(`MLP${l}`);
  }
  return out;
}

/** The hooks every evaluation pass reads: the residual inputs of receivers and the outputs of senders. */
export function valueHooks(model: CircuitModel): HookName[] {
  const { cfg } = model;
  const hooks: HookName[] = [];
  for (let l = 0; l < cfg.n_layers; l++) {
    hooks.push(`blocks.${l}.hook_resid_pre`, `blocks.${l}.attn.hook_result`);
    if (!cfg.attn_only) {
      hooks.push(`blocks.${l}.hook_mlp_out`);
      if (!cfg.parallel_attn_mlp) hooks.push(`blocks.${l}.hook_resid_mid`);
    }
  }
  hooks.push(`blocks.${cfg.n_layers - 1}.hook_resid_post`);
  return hooks;
}

/** A sender's contribution to the residual stream in one run, [T, d_model] (the embedding: resid_pre of layer 0). */
export function senderOutput(model: CircuitModel, s: Sender, v: RowValues): Float32Array {
  const { cfg } = model;
  const D = cfg.d_model;
  if (s.kind === 'head') {
    const t = v.cache.get(`blocks.${s.layer}.attn.hook_result`)!;
    const [, T, H] = t.shape;
    const out = new Float32Array(T * D);
    for (let p = 0; p < T; p++)
      out.set(t.data.subarray(((v.row * T + p) * H + s.head!) * D, ((v.row * T + p) * H + s.head! + 1) * D), p * D);
    return out;
  }
  const t = v.cache.get(s.kind === 'mlp' ? `blocks.${s.layer}.hook_mlp_out` : 'blocks.0.hook_resid_pre')!;
  const T = t.shape[1];
  return t.data.subarray(v.row * T * D, (v.row + 1) * T * D);
}
