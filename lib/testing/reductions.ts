/**
 * Test helpers for the in-graph position reductions (lib/engine/reductions.ts): batches run with reductions, the
 * equality checks between the graph's and the host's reductions, and UnitStreams fed either way.
 */
import { expect } from 'vitest';
import type { OnnxRunner } from '@/lib/engine/onnx-runner';
import { REDUCED_SUMS, reduceOnHost, reducedName, type ReducedTensors } from '@/lib/engine/reductions';
import { rangesFromCalibration } from '@/lib/metrics/streaming/histogram';
import { UnitStream, type UnitStreamOptions } from '@/lib/metrics/streaming/unit-stream';
import { PositionReducer } from '@/lib/metrics/streaming/position-reducer';

/** A batch of right-padded contexts and its observed mask (positions 1..len-1 of each context). */
export function paddedBatch(contexts: number[][], pad: number, padTo = 0, length = LENGTH) {
  const seq = Math.max(padTo, ...contexts.map((c) => c.length));
  const tokens = contexts.map((c) => [...c, ...new Array(seq - c.length).fill(pad)]);
  const observed = new Float32Array(contexts.length * length);
  contexts.forEach((c, b) => observed.fill(1, b * length + 1, b * length + c.length));
  return { tokens, observed, seq, length };
}

/** Positions every test batch's sums run over. */
export const REDUCTIONS_LENGTH = 40;
const LENGTH = REDUCTIONS_LENGTH;

/** The graph's reductions of one hook, as flat arrays. */
export async function graphReductions(runner: OnnxRunner, tokens: number[][], hook: string, observed: Float32Array, length = LENGTH) {
  const cache = await runner.run(tokens, [hook], { reductions: { hooks: [hook], observed, length } });
  const get = (w: 'max' | 'min' | 'sums') => cache.get(reducedName(hook, w))!.data;
  return { cache, reduced: { max: get('max'), min: get('min'), sums: get('sums') } as ReducedTensors };
}

/** Context b's reductions (all units) as plain arrays, to compare between batches. */
export function contextRow(r: ReducedTensors, b: number, units: number) {
  const slice = (a: Float32Array, w: number) => Array.from(a.subarray(b * w * units, (b + 1) * w * units));
  return { max: slice(r.max, 1), min: slice(r.min, 1), sums: slice(r.sums, REDUCED_SUMS) };
}

/** Graph vs host: max, min and positive counts exactly; Σx..Σx⁴ up to float32 rounding in another order. */
export function expectSameReductions(got: ReducedTensors, want: ReducedTensors, units: number): void {
  expect(Array.from(got.max)).toEqual(Array.from(want.max));
  expect(Array.from(got.min)).toEqual(Array.from(want.min));
  const rows = want.sums.length / units / REDUCED_SUMS;
  for (let b = 0; b < rows; b++) {
    const row = b * REDUCED_SUMS * units;
    for (let u = 0; u < units; u++) {
      expect(got.sums[row + 4 * units + u]).toBe(want.sums[row + 4 * units + u]);
      for (let k = 0; k < 4; k++) {
        const [g, w] = [got.sums[row + k * units + u], want.sums[row + k * units + u]];
        // Float32 rounding in another order: relative to the sum, or (Σx, Σx³ may cancel) to the next even power sum.
        expect(Math.abs(g - w)).toBeLessThanOrEqual(1e-5 * (Math.abs(w) + 1) + 1e-6 * Math.abs(want.sums[row + (k | 1) * units + u]));
      }
    }
  }
}

export interface ScannedBatch {
  contexts: { doc: number; tokens: number[] }[];
  data: Float32Array;
  seq: number;
  graph: ReducedTensors;
  host: ReducedTensors;
}

/** Runs contexts through the model in batches of `batchSize`; each batch's activations and both reductions. */
export async function scanBatches(
  runner: OnnxRunner,
  hook: string,
  units: number,
  contexts: number[][],
  batchSize: number,
  length: number,
) {
  const batches: ScannedBatch[] = [];
  for (let i = 0; i < contexts.length; i += batchSize) {
    const part = contexts.slice(i, i + batchSize);
    const seq = Math.max(...part.map((c) => c.length));
    const tokens = part.map((c) => [...c, ...new Array(seq - c.length).fill(0)]);
    const observed = new Float32Array(part.length * length);
    part.forEach((c, b) => observed.fill(1, b * length + 1, b * length + c.length));
    const cache = await runner.run(tokens, [hook], { reductions: { hooks: [hook], observed, length } });
    const data = cache.get(hook)!.data;
    const get = (w: 'max' | 'min' | 'sums') => cache.get(reducedName(hook, w))!.data;
    batches.push({
      contexts: part.map((c, b) => ({ doc: 7 * (i + b) + 3, tokens: c })),
      data,
      seq,
      graph: { max: get('max'), min: get('min'), sums: get('sums') },
      host: reduceOnHost(data, part.length, seq, units, observed, length),
    });
  }
  return batches;
}

/**
 * Streams the batches: 'values' (observeContext), or the reduced path with the graph's or the host's reductions, or
 * 'reducer': the neuron scan's CPU path (PositionReducer: reductions with their argmax, and a unit-major copy of the
 * batch for the windows whenever the stream prefers one).
 */
export function streamOf(
  batches: ScannedBatch[],
  units: number,
  how: 'values' | 'graph' | 'host' | 'reducer',
  o: Partial<UnitStreamOptions> = {},
) {
  const lo = new Float64Array(units).fill(Infinity);
  const hi = new Float64Array(units).fill(-Infinity);
  for (const b of batches)
    b.contexts.forEach((c, i) => {
      for (let p = 1; p < c.tokens.length; p++)
        for (let u = 0; u < units; u++) {
          const x = b.data[(i * b.seq + p) * units + u];
          lo[u] = Math.min(lo[u], x);
          hi[u] = Math.max(hi[u], x);
        }
    });
  const s = new UnitStream({ ranges: rangesFromCalibration(lo, hi), bins: 12, k: 3, randomK: 4, seed: 5, before: 6, after: 2, ...o });
  const reducer = new PositionReducer(units);
  for (const b of batches) {
    const ends = b.contexts.map((c) => c.tokens.length);
    const r =
      how === 'reducer'
        ? reducer.reduce(
            b.data,
            ends.length,
            b.seq,
            ends.map(() => 1),
            ends,
            s.prefersUnitMajor,
          )
        : undefined;
    b.contexts.forEach((c, i) => {
      const ctx = { doc: c.doc, tokens: c.tokens, data: b.data, offset: i * b.seq * units, posStride: units, unitStride: 1, firstPos: 1 };
      if (how === 'values') s.observeContext(ctx);
      else if (r) {
        const windows = r.transposed && { data: r.transposed, offset: i * units * b.seq, posStride: 1, unitStride: b.seq };
        s.observeReducedContext(ctx, { ...r, row: i, ...(windows ? { windows } : {}) });
      } else s.observeReducedContext(ctx, { ...(how === 'graph' ? b.graph : b.host), row: i });
    });
  }
  return s;
}

/** Everything a summary shows, with the moments' sums left out (compared to float32 rounding instead). */
export function expectSameSummaries(got: UnitStream, want: UnitStream, units: number, exactMoments: boolean): void {
  for (let u = 0; u < units; u++) {
    const g = got.summary(u);
    const w = want.summary(u);
    expect({ ...g, stats: undefined, quantiles: undefined, quantileSamples: undefined }).toEqual({
      ...w,
      stats: undefined,
      quantiles: undefined,
      quantileSamples: undefined,
    });
    for (const k of ['count', 'min', 'max', 'density'] as const) expect(g.stats[k]).toBe(w.stats[k]);
    if (exactMoments) expect(g.stats).toEqual(w.stats);
    else {
      expect(g.stats.mean).toBeCloseTo(w.stats.mean, 5);
      expect(g.stats.variance).toBeCloseTo(w.stats.variance, 4);
    }
  }
}
