import type { ModelConfig } from '../models/types';
import type { ActivationCache, ForwardRunner, HookName } from '../engine/types';
import type { RunOptions } from '../engine/interventions';
import type { CircuitModel, MetricKind, PromptPair } from './types';

/**
 * Reading a task's metric off a forward pass. logit_diff reads only the final residual (the final norm's output, or
 * the last resid_post without normalization) and dots it with two unembedding columns, so a batch of hundreds of
 * patched rows never materialises [rows, pos, d_vocab] logits; prob and kl need the whole distribution and fetch
 * `logits`.
 */

/** The hook a metric is read from. */
export function readoutHook(cfg: ModelConfig, metric: MetricKind): HookName {
  if (metric !== 'logit_diff') return 'logits';
  return cfg.normalization_type === null ? `blocks.${cfg.n_layers - 1}.hook_resid_post` : 'ln_final.hook_normalized';
}

/** logit(token) at position `pos` of batch row `row`, from the readout hook (TransformerLens' hook_normalized quirks). */
export function logitAt(model: CircuitModel, cache: ActivationCache, row: number, pos: number, token: number): number {
  const { cfg, weights } = model;
  const logits = cache.get('logits');
  if (logits) {
    const [, T, V] = logits.shape;
    return logits.data[(row * T + pos) * V + token];
  }
  const x = cache.get(readoutHook(cfg, 'logit_diff'))!;
  const [, T, D] = x.shape;
  const W_U = weights.get('unembed.W_U')!;
  const V = W_U.shape[1];
  const b_U = weights.get('unembed.b_U')?.data;
  // RMSNorm's hook_normalized is before its weight (LayerNorm's after): apply it here.
  const w = cfg.normalization_type === 'RMS' ? weights.get('ln_final.w')!.data : null;
  let sum = b_U ? b_U[token] : 0;
  const off = (row * T + pos) * D;
  for (let d = 0; d < D; d++) sum += x.data[off + d] * (w ? w[d] : 1) * W_U.data[d * V + token];
  return sum;
}

/** Log-softmax of one position's logits (prob and kl). */
export function logProbsAt(cache: ActivationCache, row: number, pos: number): Float64Array {
  const logits = cache.get('logits')!;
  const [, T, V] = logits.shape;
  const off = (row * T + pos) * V;
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits.data[off + v]);
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp(logits.data[off + v] - max);
  const lz = max + Math.log(z);
  return Float64Array.from(logits.data.subarray(off, off + V), (l) => l - lz);
}

/**
 * The metric of one batch row for one prompt pair. kl is KL(clean ‖ run) and needs the clean run's log-probs;
 * it is reported negated (−KL), so that for every metric higher means closer to the clean behaviour.
 */
export function metricOf(
  model: CircuitModel,
  metric: MetricKind,
  cache: ActivationCache,
  row: number,
  pair: PromptPair,
  cleanLogProbs?: Float64Array,
): number {
  const end = pair.clean.length - 1;
  if (metric === 'logit_diff') return logitAt(model, cache, row, end, pair.answer) - logitAt(model, cache, row, end, pair.wrong);
  const lp = logProbsAt(cache, row, end);
  if (metric === 'prob') return Math.exp(lp[pair.answer]);
  if (!cleanLogProbs) throw new Error('metric kl: the clean run log-probs are needed');
  let kl = 0;
  for (let v = 0; v < lp.length; v++) kl += Math.exp(cleanLogProbs[v]) * (cleanLogProbs[v] - lp[v]);
  return -kl;
}

/** A runner that counts its forward passes (one per run call) and rows, for reports and benchmarks. */
export class CountingRunner implements ForwardRunner {
  passes = 0;
  rows = 0;
  constructor(readonly inner: ForwardRunner) {}
  run(tokens: number[][], hooks: HookName[], options?: RunOptions): Promise<ActivationCache> {
    this.passes++;
    this.rows += tokens.length;
    return this.inner.run(tokens, hooks, options);
  }
}
