import type { CanonicalModel } from '../models/types';
import type { OnnxRunner } from './onnx-runner';

/**
 * The numeric precision a run computes in, recorded in the run's options (`weights`) next to the checkpoint's own.
 *
 * Loaders widen float16 / bfloat16 checkpoints to float32 tensor by tensor (lib/models/safetensors-reader.ts): the
 * CPU provider's kernels compute in float32 (MLAS has no float16 GEMM), so 16-bit weights would only be converted
 * again on every run. On CUDA, a 16-bit checkpoint could stay 16-bit (half the memory, tensor cores); the graph
 * builder does not emit float16 graphs yet, so CUDA runs compute in float32 too, and this record says so.
 */
export interface WeightPrecision {
  /** The checkpoint's storage dtype (F32, F16, BF16), when known. */
  checkpoint: string | null;
  /** What the forward computes in. */
  compute: 'float32';
  /** Where the weights live in the graph (lib/engine/onnx-graph.ts). */
  storage: 'inputs' | 'initializers';
  provider: string;
  why: string;
}

export function weightPrecision(model: CanonicalModel, runner: Pick<OnnxRunner, 'activeProvider' | 'weightStorage'>): WeightPrecision {
  const checkpoint = model.source.dtype ?? null;
  const provider = runner.activeProvider ?? 'cpu';
  const sixteen = checkpoint === 'F16' || checkpoint === 'BF16';
  const why = !sixteen
    ? 'float32 weights'
    : provider === 'cpu'
      ? `${checkpoint} widened to float32 on load, tensor by tensor: the CPU provider computes in float32`
      : `${checkpoint} widened to float32 on load: float16 graphs for ${provider} are not built yet`;
  return { checkpoint, compute: 'float32', storage: runner.weightStorage ?? 'inputs', provider, why };
}
