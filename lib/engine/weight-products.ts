import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from './onnx-builder';
import { chooseExecutionProviders, createSessionWithFallback } from './execution-provider';

/**
 * Weight-only products on the engine (issue 15): the neurons' weight effects, the full-OV copying score and
 * composition scores are big matrix products (W_out·W_U is [d_mlp × d_model] × [d_model × d_vocab] per layer) that
 * JavaScript loops ran at a few GFLOP/s; here they are small onnxruntime graphs (MatMul/Gemm, TopK, ReduceSum) on
 * the run's execution provider, with symbolic shapes so one session per graph kind serves every call. Callers chunk
 * their work so that no intermediate exceeds a bounded size (see the `*_BUDGET` constants of each caller).
 */

export interface DenseTensor {
  data: Float32Array;
  dims: number[];
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function session(key: string, build: () => OnnxGraphBuilder): Promise<ort.InferenceSession> {
  let s = sessions.get(key);
  if (!s) {
    const options: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // One product's intermediates are large and short-lived: no arena keeping the peak for good.
      enableCpuMemArena: false,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    s = createSessionWithFallback(build().toBytes(), options, chooseExecutionProviders()).then((r) => r.session);
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

const tensor = (t: DenseTensor) => new ort.Tensor('float32', t.data, t.dims);
const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [values.length]);
const symbolic = (prefix: string, rank: number) => Array.from({ length: rank }, (_, i) => `${prefix}${i}`);

/** Swaps the last two axes of a rank-`rank` tensor. */
function lastTwoSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/**
 * op(a) · op(b) with numpy broadcasting over leading axes (ONNX MatMul), op = transpose of the last two axes where
 * asked. Rank ≥ 2 each.
 */
export async function matMul(a: DenseTensor, b: DenseTensor, opts: { transA?: boolean; transB?: boolean } = {}): Promise<DenseTensor> {
  const [ra, rb] = [a.dims.length, b.dims.length];
  if (ra < 2 || rb < 2) throw new Error(`matMul: rank ≥ 2 needed, got [${a.dims}] and [${b.dims}]`);
  const key = `matmul:${ra}:${rb}:${opts.transA ? 1 : 0}:${opts.transB ? 1 : 0}`;
  const s = await session(key, () => {
    const g = new OnnxGraphBuilder(key);
    let x = g.input('a', 'float32', symbolic('a', ra));
    let y = g.input('b', 'float32', symbolic('b', rb));
    if (opts.transA) x = g.op('Transpose', [x], { perm: lastTwoSwapped(ra) });
    if (opts.transB) y = g.op('Transpose', [y], { perm: lastTwoSwapped(rb) });
    g.output(g.op('MatMul', [x, y], {}, 'y'), 'float32', null);
    return g;
  });
  const out = (await s.run({ a: tensor(a), b: tensor(b) })).y;
  return { data: out.data as Float32Array, dims: out.dims.map(Number) };
}

/**
 * Blocks of squared Frobenius norms: X [nx·r, d] and Y [ny·s, d] hold nx and ny matrices of r and s rows; returns
 * S [nx, ny] with S[i, j] = ‖X_i Y_jᵀ‖²_F, as one Gemm (transB: no copy of Y), a square and a ReduceSum.
 */
export async function blockSquaredNorms(x: DenseTensor, r: number, y: DenseTensor, s: number): Promise<DenseTensor> {
  const nx = x.dims[0] / r;
  const ny = y.dims[0] / s;
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || x.dims[1] !== y.dims[1]) {
    throw new Error(`blockSquaredNorms: [${x.dims}] in blocks of ${r} rows vs [${y.dims}] in blocks of ${s}`);
  }
  const sess = await session('block-squared-norms', () => {
    const g = new OnnxGraphBuilder('block-squared-norms');
    const X = g.input('x', 'float32', ['m', 'd']);
    const Y = g.input('y', 'float32', ['n', 'd']);
    const shape = g.input('shape', 'int64', [4]);
    const prod = g.op('Gemm', [X, Y], { transB: 1 });
    const blocks = g.op('Reshape', [prod, shape]);
    const sq = g.op('Mul', [blocks, blocks]);
    g.output(g.op('ReduceSum', [sq, g.int64Constant([1, 3])], { keepdims: 0 }, 'sums'), 'float32', null);
    return g;
  });
  const out = (await sess.run({ x: tensor(x), y: tensor(y), shape: int64([nx, r, ny, s]) })).sums;
  return { data: out.data as Float32Array, dims: [nx, ny] };
}

export interface RowTopK {
  /** [rows, k] values, best first. */
  topValues: Float32Array;
  /** [rows, k] column indices. */
  topIndices: BigInt64Array;
  bottomValues?: Float32Array;
  bottomIndices?: BigInt64Array;
}

/**
 * For each row i of A [n, D] (scaled per column by `scale` [D]): the k largest (and, with `bottom`, the k smallest)
 * entries of the row (A_i ⊙ scale) · B, where B is [D, V], or [V, D] with `transB` (Gemm reads it transposed in
 * place, so W_E needs no transposed copy). Only [n, V] lives at once: callers choose n. Ties: lower index first (TopK).
 */
export async function rowTopK(
  a: DenseTensor,
  scale: Float32Array,
  b: ort.Tensor,
  k: number,
  opts: { transB: boolean; bottom: boolean },
): Promise<RowTopK> {
  const key = `row-topk:${opts.transB ? 1 : 0}:${opts.bottom ? 1 : 0}`;
  const s = await session(key, () => {
    const g = new OnnxGraphBuilder(key);
    const A = g.input('a', 'float32', ['n', 'd']);
    const sc = g.input('scale', 'float32', ['d']);
    const B = g.input('b', 'float32', opts.transB ? ['v', 'd'] : ['d', 'v']);
    const K = g.input('k', 'int64', [1]);
    const prod = g.op('Gemm', [g.op('Mul', [A, sc]), B], { transB: opts.transB ? 1 : 0 });
    const [tv, ti] = g.multiOp('TopK', [prod, K], [g.claimName('top_values'), g.claimName('top_indices')], {
      axis: -1,
      largest: 1,
      sorted: 1,
    });
    g.output(tv, 'float32', null);
    g.output(ti, 'int64', null);
    if (opts.bottom) {
      const [bv, bi] = g.multiOp('TopK', [prod, K], [g.claimName('bottom_values'), g.claimName('bottom_indices')], {
        axis: -1,
        largest: 0,
        sorted: 1,
      });
      g.output(bv, 'float32', null);
      g.output(bi, 'int64', null);
    }
    return g;
  });
  const out = await s.run({ a: tensor(a), scale: new ort.Tensor('float32', scale, [scale.length]), b, k: int64([k]) });
  return {
    topValues: out.top_values.data as Float32Array,
    topIndices: out.top_indices.data as BigInt64Array,
    ...(opts.bottom
      ? { bottomValues: out.bottom_values.data as Float32Array, bottomIndices: out.bottom_indices.data as BigInt64Array }
      : {}),
  };
}

/**
 * Σ over column chunks [c0, c1) of A[:, c0:c1] · B[c0:c1, :] for A [m, K], B [K, n] (K: the shorter of the two, at most `limit`), accumulated in float64 on the
 * host: a long contraction (the vocabulary, 50k terms) summed chunk by chunk loses less than one float32 sum.
 */
export async function chunkedContraction(a: ort.Tensor, b: ort.Tensor, chunk: number, limit = Infinity): Promise<Float64Array> {
  const [m, Ka] = a.dims.map(Number);
  const [Kb, n] = b.dims.map(Number);
  // The shorter of the two (an embedding with padding rows beyond the unembedding's vocabulary): the common part.
  const K = Math.min(Ka, Kb, limit);
  const s = await session('chunked-contraction', () => {
    const g = new OnnxGraphBuilder('chunked-contraction');
    const A = g.input('a', 'float32', ['m', 'K']);
    const B = g.input('b', 'float32', ['K', 'n']);
    const start = g.input('start', 'int64', [1]);
    const end = g.input('end', 'int64', [1]);
    const aPart = g.op('Slice', [A, start, end, g.int64Constant([1])]);
    const bPart = g.op('Slice', [B, start, end, g.int64Constant([0])]);
    g.output(g.op('MatMul', [aPart, bPart], {}, 'y'), 'float32', null);
    return g;
  });
  const sum = new Float64Array(m * n);
  for (let c0 = 0; c0 < K; c0 += chunk) {
    const y = (await s.run({ a, b, start: int64([c0]), end: int64([Math.min(K, c0 + chunk)]) })).y.data as Float32Array;
    for (let i = 0; i < sum.length; i++) sum[i] += y[i];
  }
  return sum;
}

/** Releases the cached sessions (tests, benchmarks). */
export async function releaseWeightProductSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (s) => (await s.catch(() => null))?.release()));
}
