import os from 'node:os';
import type { ModelConfig } from '../models/types';
import { hookDims } from './hooks';
import type { HookName } from './types';

/**
 * How much memory a forward pass needs, checked before it starts so that a model or a batch too big for the machine
 * fails with the figures instead of making the machine swap. The figures are deliberately generous upper bounds
 * (float32 everywhere):
 *  - weights: the model's float32 bytes (the one copy every session reads, lib/engine/weight-feeds.ts);
 *  - per-run transients: one layer's working set (onnxruntime's planner reuses buffers across layers) — the
 *    residual-stream temporaries, the MLP's, three pos × pos attention tensors, and the fused Q/K/V matrix that
 *    weight inputs assemble each run (twice: concatenated, then transposed);
 *  - requested hooks: every hook's tensor twice (onnxruntime's output, then the JavaScript copy), logits included;
 *  - the runtime itself (Node, onnxruntime, the graph): a fixed allowance.
 */
export const RUNTIME_ALLOWANCE_BYTES = 400 * 2 ** 20;
/** Leave this share of the available memory free (page cache, the rest of the process, other processes' growth). */
const HEADROOM = 0.9;

export interface ForwardMemoryEstimate {
  weightBytes: number;
  activationBytes: number;
  runtimeBytes: number;
  totalBytes: number;
}

export function estimateActivationBytes(
  cfg: ModelConfig,
  batch: number,
  pos: number,
  hooks: HookName[],
  logitsWidth = cfg.d_vocab,
): number {
  const { d_model: D, n_heads: H, n_key_value_heads: Hkv, d_head: dh, d_mlp: M } = cfg;
  const tokens = batch * pos;
  const layer = tokens * (8 * D + 4 * (H + 2 * Hkv) * dh + 4 * M) + 3 * batch * H * pos * pos + 2 * D * (H + 2 * Hkv) * dh;
  let hooked = 0;
  for (const hook of new Set(hooks)) {
    const dims = hook === 'logits' ? [batch, pos, logitsWidth] : hookDims(cfg, hook);
    hooked += 2 * dims.reduce<number>((n, d) => n * (d === 'batch' ? batch : typeof d === 'number' ? d : pos), 1);
  }
  return 4 * (layer + hooked);
}

export function estimateForwardMemory(
  cfg: ModelConfig,
  weightBytes: number,
  batch: number,
  pos: number,
  hooks: HookName[],
  logitsWidth?: number,
): ForwardMemoryEstimate {
  const activationBytes = estimateActivationBytes(cfg, batch, pos, hooks, logitsWidth);
  return {
    weightBytes,
    activationBytes,
    runtimeBytes: RUNTIME_ALLOWANCE_BYTES,
    totalBytes: weightBytes + activationBytes + RUNTIME_ALLOWANCE_BYTES,
  };
}

/** Memory the process can still take: the OS's available memory, capped by a cgroup limit when there is one. */
export function availableMemoryBytes(): { available: number; total: number } {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = constrained && constrained > 0 && constrained < os.totalmem() ? constrained : os.totalmem();
  const available = Math.min(
    os.freemem(),
    constrained && constrained > 0 ? Math.max(0, constrained - process.memoryUsage.rss()) : Infinity,
  );
  return { available, total };
}

export const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;

/**
 * Refuses to load a model whose float32 weights (plus the runtime allowance and the smallest batch's activations)
 * do not fit in the memory available now. `what` names the model in the message.
 */
export function assertWeightsFit(what: string, weightBytes: number, memory = availableMemoryBytes()): void {
  const needed = weightBytes + RUNTIME_ALLOWANCE_BYTES;
  if (needed > HEADROOM * memory.available) {
    throw new Error(
      `${what} needs about ${gib(needed)} of memory to load (${gib(weightBytes)} of float32 weights + ${gib(RUNTIME_ALLOWANCE_BYTES)} for the runtime), ` +
        `but only ${gib(memory.available)} of this machine's ${gib(memory.total)} is available; refusing before the machine swaps ` +
        `(free memory, or use a machine with more)`,
    );
  }
}

/**
 * Refuses a forward pass whose activations do not fit beside the weights already loaded (they are part of the
 * process, so the available memory already excludes them), naming the largest batch that would fit.
 */
export function assertBatchFits(
  cfg: ModelConfig,
  batch: number,
  pos: number,
  hooks: HookName[],
  logitsWidth?: number,
  memory = availableMemoryBytes(),
): void {
  const needed = estimateActivationBytes(cfg, batch, pos, hooks, logitsWidth);
  if (needed <= HEADROOM * memory.available) return;
  const fits = largestBatchThatFits(cfg, pos, hooks, HEADROOM * memory.available, logitsWidth);
  throw new Error(
    `${cfg.model_name}: a forward of ${batch} × ${pos} tokens with ${new Set(hooks).size} hooks needs about ${gib(needed)} of activations, ` +
      `but only ${gib(memory.available)} of this machine's ${gib(memory.total)} is available; ` +
      (fits > 0
        ? `use a batch of at most ${fits} sequences of ${pos} tokens`
        : `even one sequence of ${pos} tokens does not fit: use shorter contexts or fewer hooks`),
  );
}

/** The largest batch (sequences of `pos` tokens) whose activations fit in `bytes`; 0 when even one does not. */
export function largestBatchThatFits(cfg: ModelConfig, pos: number, hooks: HookName[], bytes: number, logitsWidth?: number): number {
  const one = estimateActivationBytes(cfg, 1, pos, hooks, logitsWidth);
  return Math.max(0, Math.floor(bytes / one));
}

/**
 * The batch size a scan should use: the requested one, or the largest that fits the available memory when the
 * requested one does not (a big model on a small machine scans more slowly instead of failing). Refuses, with the
 * same message as the runner, when not even one context fits.
 */
export function fitBatchSize(
  cfg: ModelConfig,
  requested: number,
  pos: number,
  hooks: HookName[],
  logitsWidth?: number,
  memory = availableMemoryBytes(),
): number {
  const fits = largestBatchThatFits(cfg, pos, hooks, HEADROOM * memory.available, logitsWidth);
  if (fits === 0) assertBatchFits(cfg, 1, pos, hooks, logitsWidth, memory);
  return Math.min(requested, fits);
}
