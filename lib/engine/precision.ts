import type { CanonicalModel } from '../models/types';
import { float16Overflow, isMatrixWeight, type Precision } from './float16-weights';
import type { OnnxRunner } from './onnx-runner';

/**
 * The numeric precision a run computes in, chosen once per session (OnnxRunner) and recorded in the run's options
 * (`weights`) next to the checkpoint's own.
 *
 *  - CUDA with a float16 / bfloat16 checkpoint: float16 graphs (lib/engine/onnx-graph.ts `precision`): the matrices
 *    16-bit (tensor cores, half the weights' memory where the model keeps them so: keepWeightsFloat16), norms,
 *    softmax and residual sums in float32. bfloat16 goes to float16, not bfloat16: onnxruntime's CPU provider has no
 *    bfloat16 MatMul (microsoft/onnxruntime#20630, #26311), so a bfloat16 graph could not be tested here, and CUDA's
 *    bfloat16 kernels still have gaps (#19502, #27873); bfloat16 → float16 is exact for every value in float16's
 *    normal range and loses only ≤ 2⁻²⁵ absolutely below it, so it is taken unless a matrix holds a value past
 *    ±65504, in which case the run stays float32 and says why.
 *  - The CPU: float32 graphs by default. onnxruntime 1.30's CPU provider has no float16 MatMul kernel on x86: it
 *    accepts a float16 graph but inserts a Cast of each float16 weight to float32 before its MatMul and drops the
 *    activation's Cast to float16 ("InsertedPrecisionFreeCast", seen in the optimised graph), so a float16 graph on
 *    the CPU computes in float32 — the same hooks bit for bit as the float32 graph on the same 16-bit values
 *    (lib/engine/float16-graph.test.ts) — with its weights held 16-bit and widened on every run: no peak saving on
 *    bigger shapes and 2–3× the CPU time (scripts/bench/float16-forward.ts, docs/architecture.md). A model that keeps
 *    its matrices 16-bit (model.float16Weights) uses float16 graphs wherever it runs.
 *  - HEADWIKI_PRECISION=float16|float32 forces the graph's precision (auto by default).
 */
export interface WeightPrecision {
  /** The checkpoint's storage dtype (F32, F16, BF16), when known. */
  checkpoint: string | null;
  /** The graph's matrices: float32, or float16 (lib/engine/onnx-graph.ts `precision`). */
  graph: Precision;
  /**
   * What the matrix products compute in: float16 for a float16 graph on CUDA, float32 otherwise (the CPU provider
   * widens float16 weights to float32 for its MatMul). Norms, softmax and residual sums are float32 either way.
   */
  compute: Precision;
  /** Whether the matrices are held 16-bit in memory (half their float32 bytes) rather than narrowed from float32. */
  keptFloat16: boolean;
  /** Where the weights live in the graph (lib/engine/onnx-graph.ts). */
  storage: 'inputs' | 'initializers';
  provider: string;
  why: string;
}

export type PrecisionSetting = Precision | 'auto';

export function parsePrecisionSetting(value: string | undefined): PrecisionSetting {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'float32' || v === 'float16') return v;
  throw new Error(`HEADWIKI_PRECISION must be float32, float16 or auto; got ${JSON.stringify(value)}`);
}

function sixteenBit(dtype: string | undefined | null): boolean {
  return dtype === 'F16' || dtype === 'BF16';
}

/** The precision for a session of `model` on `provider`, with the reason recorded beside it. */
export function choosePrecision(
  model: CanonicalModel,
  provider: string,
  setting: PrecisionSetting = parsePrecisionSetting(process.env.HEADWIKI_PRECISION),
): { precision: Precision; why: string } {
  const dtype = model.source.dtype;
  if ((model.float16Weights?.size ?? 0) > 0) return { precision: 'float16', why: 'matrices kept as float16 in memory' };
  if (setting !== 'auto') return { precision: setting, why: `HEADWIKI_PRECISION=${setting}` };
  if (!sixteenBit(dtype)) return { precision: 'float32', why: dtype ? `${dtype} checkpoint` : 'float32 weights' };
  if (provider !== 'cuda') {
    return {
      precision: 'float32',
      why: `${dtype} widened to float32 on load, tensor by tensor: the ${provider} provider computes in float32`,
    };
  }
  const overflow = dtype === 'BF16' ? bfloat16Overflow(model) : null;
  if (overflow) return { precision: 'float32', why: overflow };
  return { precision: 'float16', why: `${dtype} checkpoint on ${provider}: float16 matrices, norms and softmax in float32` };
}

const overflowByModel = new WeakMap<CanonicalModel, string | null>();

/** Why a bfloat16 model's matrices cannot go to float16 (a value past ±65504), or null; scanned once per model. */
function bfloat16Overflow(model: CanonicalModel): string | null {
  if (overflowByModel.has(model)) return overflowByModel.get(model)!;
  let why: string | null = null;
  for (const [name, t] of model.weights) {
    const overflow = isMatrixWeight(name) ? float16Overflow(t.data) : null;
    if (overflow !== null) {
      why = `BF16 ${name} holds ${overflow}, beyond float16's range (±65504): float32`;
      break;
    }
  }
  overflowByModel.set(model, why);
  return why;
}

export function weightPrecision(
  model: CanonicalModel,
  runner: Pick<OnnxRunner, 'activeProvider' | 'weightStorage'> & Partial<Pick<OnnxRunner, 'precision' | 'precisionWhy'>>,
): WeightPrecision {
  const checkpoint = model.source.dtype ?? null;
  const provider = runner.activeProvider ?? 'cpu';
  // What the runner's sessions actually used (an explicit option, a choice made before a fallback to the CPU) wins
  // over what would be chosen now.
  const chosen = runner.precision ? { precision: runner.precision, why: runner.precisionWhy ?? '' } : choosePrecision(model, provider);
  const graph = chosen.precision;
  const compute = graph === 'float16' && provider === 'cuda' ? 'float16' : 'float32';
  const why =
    graph === 'float16' && provider !== 'cuda' ? `${chosen.why}; the ${provider} provider widens them to float32 per MatMul` : chosen.why;
  const keptFloat16 = (model.float16Weights?.size ?? 0) > 0;
  return { checkpoint, graph, compute, keptFloat16, storage: runner.weightStorage ?? 'inputs', provider, why };
}
