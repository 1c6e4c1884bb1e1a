import { describe, expect, it } from 'vitest';
import { firstPositionOf, reduceOnHost } from '@/lib/engine/reductions';
import { PositionReducer } from './position-reducer';

/** Seeded values with ties, zeros, negatives and a wide range (so float32 rounding of the sums shows if it differs). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    out[i] = r < 0.1 ? 0 : r < 0.15 ? 2.5 : (rnd() - 0.3) * 10 ** (rnd() * 4 - 2);
  }
  return out;
}

describe('PositionReducer (WebAssembly)', () => {
  // Units not a multiple of 4 (the scalar tail), rows with different observed ranges, an empty row.
  for (const units of [1, 4, 7, 13, 64]) {
    it(`gives reduceOnHost's bits and the first position of the max (${units} units)`, () => {
      const batch = 4;
      const seq = 23;
      const data = values(batch * seq * units, units);
      const firsts = [1, 0, 5, 3];
      const ends = [23, 9, 5, 17];
      const observed = new Float32Array(batch * seq);
      firsts.forEach((f, b) => observed.fill(1, b * seq + f, b * seq + ends[b]));
      const want = reduceOnHost(data, batch, seq, units, observed);
      const got = new PositionReducer(units).reduce(data, batch, seq, firsts, ends);
      expect(Array.from(got.max)).toEqual(Array.from(want.max));
      expect(Array.from(got.min)).toEqual(Array.from(want.min));
      expect(Array.from(got.sums)).toEqual(Array.from(want.sums));
      for (let b = 0; b < batch; b++) {
        for (let u = 0; u < units; u++) {
          const i = b * units + u;
          const p = firstsOr(want.max[i], data, b * seq * units + u, units, firsts[b], ends[b]);
          expect(got.argMax[i]).toBe(p);
        }
      }
      // The empty row (positions [5, 5)): no max, no min, zero sums.
      expect(got.max[2 * units]).toBe(-Infinity);
      expect(got.argMax[2 * units]).toBe(-1);
      expect(got.min[2 * units]).toBe(Infinity);
    });
  }

  it('writes the batch unit-major on request (positions 0..end of each row), with the same reductions', () => {
    const units = 9;
    const seq = 11;
    const data = values(3 * seq * units, 4);
    const ends = [11, 6, 3];
    const r = new PositionReducer(units);
    const plain = r.reduce(data, 3, seq, [1, 1, 1], ends);
    const maxPlain = Array.from(plain.max);
    const got = r.reduce(data, 3, seq, [1, 1, 1], ends, true);
    expect(Array.from(got.max)).toEqual(maxPlain);
    for (let b = 0; b < 3; b++)
      for (let u = 0; u < units; u++)
        for (let p = 0; p < ends[b]; p++) expect(got.transposed![(b * units + u) * seq + p]).toBe(data[(b * seq + p) * units + u]);
  });

  it('reuses its memory for larger and smaller batches, and refuses positions outside the batch', () => {
    const r = new PositionReducer(8);
    const big = values(16 * 130 * 8, 9);
    expect(r.reduce(big, 16, 130, new Array(16).fill(1), new Array(16).fill(130)).max.length).toBe(16 * 8);
    const small = values(2 * 3 * 8, 10);
    const got = r.reduce(small, 2, 3, [0, 1], [3, 3]);
    const observed = new Float32Array([1, 1, 1, 0, 1, 1]);
    expect(Array.from(got.sums)).toEqual(Array.from(reduceOnHost(small, 2, 3, 8, observed).sums));
    expect(() => r.reduce(small, 2, 3, [0, 0], [3, 4])).toThrow(/outside/);
  });
});

/** firstPositionOf, −1 where no value beats −Infinity (the kernel's convention for an empty row). */
function firstsOr(max: number, data: Float32Array, offset: number, posStride: number, first: number, end: number): number {
  return max === -Infinity ? -1 : firstPositionOf(max, data, offset, posStride, first, end);
}
