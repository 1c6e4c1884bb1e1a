import * as ort from 'onnxruntime-node';
import type { CanonicalModel } from '../models/types';
import type { WeightStorage } from './onnx-graph';
import { float16Bits, isMatrixWeight, type Precision } from './float16-weights';

/**
 * The weights as onnxruntime inputs: one `ort.Tensor` per model weight, wrapping the model's own Float32Array
 * (onnxruntime-node hands a CPU tensor's buffer to the session without copying it), made once per model and shared by
 * every runner and session in the process. A weight replaced in `model.weights` (a new array) gets a new tensor.
 */
const tensorsByModel = new WeakMap<CanonicalModel, Map<string, { data: Float32Array | Uint16Array; tensor: ort.Tensor }>>();

/** `precision: 'float16'`: the matrices are fed as float16 (lib/engine/float16-weights.ts), as a float16 graph declares them. */
export function weightFeeds(model: CanonicalModel, names: string[], precision: Precision = 'float32'): Record<string, ort.Tensor> {
  let tensors = tensorsByModel.get(model);
  if (!tensors) tensorsByModel.set(model, (tensors = new Map()));
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of names) {
    if (precision === 'float16' && isMatrixWeight(name)) {
      const half = float16Bits(model, name);
      let entry = tensors.get(name);
      if (!entry || entry.data !== half.data)
        tensors.set(name, (entry = { data: half.data, tensor: new ort.Tensor('float16', half.data, half.shape) }));
      feeds[name] = entry.tensor;
      continue;
    }
    const weight = model.weights.get(name);
    if (!weight) throw new Error(`${model.cfg.model_name}: weight ${name} is missing`);
    let entry = tensors.get(name);
    if (!entry || entry.data !== weight.data) {
      entry = { data: weight.data, tensor: new ort.Tensor('float32', weight.data, weight.shape) };
      tensors.set(name, entry);
    }
    feeds[name] = entry.tensor;
  }
  return feeds;
}

/**
 * Float32 bytes of a model's weights, counting weights kept 16-bit at their float32 size (what the CPU provider widens
 * them to, and the size memory ratios are stated against; keptWeightBytes in float16-weights.ts is what they hold).
 */
export function weightBytes(model: CanonicalModel): number {
  let bytes = 0;
  for (const t of model.weights.values()) bytes += t.data.byteLength;
  for (const t of model.float16Weights?.values() ?? []) bytes += 2 * t.data.byteLength;
  return bytes;
}

/** Graphs with their weights inside must stay under protobuf's 2 GB (with room for the graph itself). */
const PROTOBUF_WEIGHT_BUDGET = 1.8e9;

/**
 * Weight inputs on the CPU (measured: as fast as initializers, see docs/architecture.md, and one copy per process);
 * initializers on CUDA when they fit the protobuf limit, so the provider copies them to the device once per session
 * rather than once per run. Bigger models on CUDA use inputs too (a per-run host-to-device copy, but they run).
 */
export function defaultWeightStorage(provider: string | undefined, model: CanonicalModel): WeightStorage {
  return provider === 'cuda' && weightBytes(model) < PROTOBUF_WEIGHT_BUDGET ? 'initializers' : 'inputs';
}
