import { halfToFloat } from '../models/safetensors';
import { floatToHalf } from '../models/safetensors-write';
import type { CanonicalModel, Float16Tensor, Tensor } from '../models/types';

/**
 * Weights for float16 graphs (lib/engine/onnx-graph.ts `precision: 'float16'`). Only the matrices (`W_E`, `W_pos`,
 * `W_Q` … `W_U`: every weight whose last name segment starts with `W_`) are 16-bit: they are what MatMul and Gather
 * read, and nearly all of the bytes. Norm weights and biases stay float32, added in float32 to float32 activations.
 *
 * A matrix comes either from `model.float16Weights` (kept 16-bit: half the memory, keepWeightsFloat16) or is narrowed
 * from the model's float32 array on first use and cached beside it (both copies live: for tests and for comparing
 * precisions on one model, not for big models).
 */

export type Precision = 'float32' | 'float16';

/** The largest finite float16 (65504): a larger value would become ±Infinity. */
export const FLOAT16_MAX = 65504;

export function isMatrixWeight(name: string): boolean {
  return name.slice(name.lastIndexOf('.') + 1).startsWith('W_');
}

/** float32 → float16 bits, round to nearest even (values past ±65504 become ±Infinity: check with float16Overflow). */
export function narrowToFloat16(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = floatToHalf(data[i]);
  return out;
}

/** float16 bits → float32 (exact). */
export function widenFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i]);
  return out;
}

/** The first finite value that float16 cannot hold (|x| > 65504), or null. */
export function float16Overflow(data: Float32Array): number | null {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v) && Math.abs(v) > FLOAT16_MAX) return v;
  }
  return null;
}

/** A weight wherever it is kept: float32 in `weights`, or 16-bit in `float16Weights`. */
export function anyWeight(model: CanonicalModel, name: string): Tensor | Float16Tensor | undefined {
  return model.weights.get(name) ?? model.float16Weights?.get(name);
}

/** A weight's shape wherever it is kept. */
export function weightShape(model: CanonicalModel, name: string): number[] | undefined {
  return anyWeight(model, name)?.shape;
}

const narrowed = new WeakMap<Float32Array, Uint16Array>();

/** A matrix as float16 bits: the kept 16-bit copy, else narrowed from float32 once (cached while that array lives). */
export function float16Bits(model: CanonicalModel, name: string): Float16Tensor {
  const kept = model.float16Weights?.get(name);
  if (kept) return kept;
  const t = model.weights.get(name);
  if (!t) throw new Error(`${model.cfg.model_name}: weight ${name} is missing`);
  let bits = narrowed.get(t.data);
  if (!bits) narrowed.set(t.data, (bits = narrowToFloat16(t.data)));
  return { shape: t.shape, data: bits };
}

/** A weight as float32 (a 16-bit one widened now: a copy, for the few readers that need one). */
export function float32Weight(model: CanonicalModel, name: string): Tensor | undefined {
  const t = model.weights.get(name);
  if (t) return t;
  const half = model.float16Weights?.get(name);
  return half ? { shape: half.shape, data: widenFloat16(half.data) } : undefined;
}

export interface KeptFloat16 {
  kept: boolean;
  /** Bytes the weights take now (float32 ones + 16-bit ones). */
  bytes: number;
  why: string;
}

/**
 * Moves the model's matrices to 16 bits in place, tensor by tensor (each float32 array is dropped as its 16-bit copy
 * is made, so the peak is the float32 weights plus one matrix in 16 bits): call after weight processing (fold_ln etc.
 * run in float32) and before any runner feeds the weights. Nothing moves when a matrix holds a value float16 cannot
 * (|x| > 65504, possible in bfloat16 checkpoints): the model stays float32 and `why` names the weight.
 */
export function keepWeightsFloat16(model: CanonicalModel): KeptFloat16 {
  const matrices = [...model.weights.keys()].filter(isMatrixWeight);
  for (const name of matrices) {
    const overflow = float16Overflow(model.weights.get(name)!.data);
    if (overflow !== null) {
      return {
        kept: false,
        bytes: keptWeightBytes(model),
        why: `${name} holds ${overflow}, beyond float16's range (±65504): kept float32`,
      };
    }
  }
  const half = (model.float16Weights ??= new Map());
  for (const name of matrices) {
    const t = model.weights.get(name)!;
    half.set(name, { shape: t.shape, data: narrowToFloat16(t.data) });
    model.weights.delete(name);
  }
  return { kept: true, bytes: keptWeightBytes(model), why: `${matrices.length} matrices kept as float16` };
}

/** The bytes a model's weights hold in memory (16-bit ones at 2 bytes a value). */
export function keptWeightBytes(model: CanonicalModel): number {
  let bytes = 0;
  for (const t of model.weights.values()) bytes += t.data.byteLength;
  for (const t of model.float16Weights?.values() ?? []) bytes += t.data.byteLength;
  return bytes;
}
