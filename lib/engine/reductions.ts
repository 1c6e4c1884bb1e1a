import type { HookName } from './types';

/**
 * Position reductions: per context (batch row) and unit (a hook's last axis), statistics over the positions a run
 * marks as observed, computed inside the ONNX graph so that the host works per context, not per value:
 *
 *   max          the largest value (its position: `firstPositionOf`, on the host, for the few contexts that need it)
 *   min          the smallest value
 *   sums         Σx, Σx², Σx³, Σx⁴ and the count of x > 0, float32 sums
 *
 * Why in the graph: a corpus scan (workers/neurons/scan.ts) needs these for every one of a model's neurons on every
 * token; on the host that is one pass over every activation per statistic, on an accelerator a few cheap kernels
 * next to the forward pass.
 *
 * Determinism: the sums are a MatMul of the observed-position mask [1, length] with the powers [length, units] per
 * context, over a FIXED number of positions (`length`, e.g. the scan's context length: the graph pads the hook to it),
 * so a context's sums are the same bits whatever batch it is in and however long that batch is padded (a MatMul's
 * accumulation order depends on its shapes; tested in reductions.test.ts). Max and min are exact anyway.
 * `reduceOnHost` is the same computation in JavaScript with float32 sums in position order: equal max/argmax/min/
 * positive counts, sums equal up to float32 rounding (the reference the graph is tested against, and the fallback of
 * runners without reductions).
 *
 *   const cache = await runner.run(tokens, [hook], { reductions: { hooks: [hook], observed, length } }); // observed [batch × length], 1 or 0
 *   cache.get(reducedName(hook, 'max')) // [batch, units]; 'sums': [batch, 5, units]
 */
export interface PositionReductions {
  /** Requested hooks of shape [batch, pos, units] to reduce. */
  hooks: HookName[];
  /** [batch × length]: 1 where a position is observed, 0 elsewhere (BOS, padding, positions ≥ pos). */
  observed: Float32Array;
  /** Positions the sums run over (≥ the batch's pos; the same for every batch of a scan). */
  length: number;
}

export type ReducedOutput = 'max' | 'min' | 'sums';
/** Rows of the `sums` output: Σx, Σx², Σx³, Σx⁴, #(x > 0). */
export const REDUCED_SUMS = 5;

/** The graph input holding the observed-position mask (shared by every reduced hook). */
export const OBSERVED_INPUT = 'reductions:observed';

/** The graph output (and cache key) of one reduction of a hook. */
export function reducedName(hook: HookName, what: ReducedOutput): string {
  return `${hook}:${what}`;
}

/** Checks a run's reductions: hooks requested, of rank 3, and a mask of [batch × length]. Returns the hooks, sorted. */
export function checkReductions(
  r: PositionReductions | undefined,
  hooks: HookName[],
  rank: (hook: HookName) => number,
  batch: number,
  pos: number,
) {
  if (!r || r.hooks.length === 0) return [];
  const seen = new Set<HookName>();
  for (const hook of r.hooks) {
    if (!hooks.includes(hook)) throw new Error(`reduction of ${hook}: the hook must also be requested`);
    if (rank(hook) !== 3) throw new Error(`reduction of ${hook}: only [batch, pos, units] hooks can be reduced`);
    seen.add(hook);
  }
  if (!(Number.isInteger(r.length) && r.length >= pos))
    throw new Error(`reductions: length ${r.length} is shorter than the batch (${pos} positions)`);
  if (r.observed.length !== batch * r.length)
    throw new Error(`reductions: observed has ${r.observed.length} values; expected batch × length = ${batch * r.length}`);
  return [...seen].sort();
}

/** One hook's reductions for a batch, as the graph returns them (flat, row-major). */
export interface ReducedTensors {
  /** [batch, units] */
  max: Float32Array;
  min: Float32Array;
  /** [batch, 5, units] */
  sums: Float32Array;
}

/**
 * The graph's reductions in JavaScript, bit for bit: float32 arithmetic, sums accumulated in position order.
 * data: [batch, pos, units]; observed: [batch × length], length ≥ pos (positions ≥ pos must not be observed).
 * A context without observed positions gets max −Infinity, min +Infinity.
 */
export function reduceOnHost(
  data: Float32Array,
  batch: number,
  pos: number,
  units: number,
  observed: Float32Array,
  length = pos,
): ReducedTensors {
  const f = Math.fround;
  const out: ReducedTensors = {
    max: new Float32Array(batch * units).fill(-Infinity),
    min: new Float32Array(batch * units).fill(Infinity),
    sums: new Float32Array(batch * REDUCED_SUMS * units),
  };
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      let max = -Infinity;
      let min = Infinity;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let positive = 0;
      for (let p = 0; p < pos; p++) {
        if (observed[b * length + p] === 0) continue;
        const x = data[(b * pos + p) * units + u];
        if (x > max) max = x;
        if (x < min) min = x;
        const x2 = f(x * x);
        s1 = f(s1 + x);
        s2 = f(s2 + x2);
        s3 = f(s3 + f(x2 * x));
        s4 = f(s4 + f(x2 * x2));
        if (x > 0) positive++;
      }
      const i = b * units + u;
      out.max[i] = max;
      out.min[i] = min;
      const row = b * REDUCED_SUMS * units + u;
      [s1, s2, s3, s4, positive].forEach((s, k) => (out.sums[row + k * units] = s));
    }
  }
  return out;
}

/**
 * The first position in [first, n) where unit u of a context reaches `value` (its max), or −1: the argmax the graph
 * leaves out. value(p) = data[offset + p · posStride + u · unitStride].
 */
export function firstPositionOf(value: number, data: Float32Array, offset: number, posStride: number, first: number, n: number): number {
  for (let p = first, i = offset + first * posStride; p < n; p++, i += posStride) if (data[i] === value) return p;
  return -1;
}

/**
 * Norms: ‖x‖₂ over a hook's last axis (e.g. each head's write to the residual stream, hook_result [batch, pos, head,
 * d_model] → [batch, pos, head]), computed in the graph; the hook itself need not be requested, so the host neither
 * receives nor reads it. Runners without norms leave `normName(hook)` out of the cache (callers compute it then).
 */
export function normName(hook: HookName): string {
  return `${hook}:norm`;
}

/**
 * Source maxima: for an attention pattern [batch, head, q, k], the largest weight on a non-BOS source (k ≥ 1) of each
 * destination, [batch, head, q], computed in the graph (causal entries k > q are exactly 0, so the max over k ≥ 1 is
 * the max over 1 ≤ k ≤ q). The head-example scan ranks destinations by it without reading whole patterns.
 */
export function sourceMaxName(hook: HookName): string {
  return `${hook}:max_after_bos`;
}
