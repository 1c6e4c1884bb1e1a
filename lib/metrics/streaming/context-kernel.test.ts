import { afterEach, describe, expect, it } from 'vitest';
import { makeRng } from '@/lib/sampling/random';
import { ExactSums, UnitStream, type ContextActivations, type UnitStreamOptions } from './index';
import { ContextKernel } from './context-kernel';

/**
 * The WebAssembly hot loop (ContextKernel) against UnitStream's JavaScript loop, its reference: the same stream
 * bit for bit, on values chosen to hit every branch (ties for the max, exact zeros and −0, values on the range's
 * ends and outside it), with even and odd unit counts (two SIMD lanes and the scalar tail). Non-finite values are
 * refused by both (ExactSums).
 */
function hostileContexts(units: number, contexts: number, seed: number): ContextActivations[] {
  const rng = makeRng(seed);
  const specials = [0, -0, 1, -1, 2, 2, -0.25, 3, 1e-30, 3.0000001, 1e30, -1e30];
  return Array.from({ length: contexts }, (_, doc) => {
    const n = 1 + rng.int(40);
    const tokens = Array.from({ length: n }, () => rng.int(100));
    const data = new Float32Array(n * units);
    for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.2 ? specials[rng.int(specials.length)] : rng.next() * 5 - 1.5;
    return { doc: doc * 3 + 1, tokens, data, offset: 0, posStride: units, unitStride: 1, firstPos: doc % 3 === 0 ? 0 : 1 };
  });
}

function streamed(options: UnitStreamOptions, contexts: ContextActivations[], loop: 'wasm' | 'js', batch: number): string {
  UnitStream.hotLoop = loop;
  const s = new UnitStream(options);
  for (let i = 0; i < contexts.length; i += batch) s.observeContexts(contexts.slice(i, i + batch));
  const json = JSON.stringify(s.toPlainJSON());
  // Streaming on after a read (the kernel takes its state back in) must still match.
  s.observeContexts(contexts.slice(0, 5).map((c) => ({ ...c, doc: c.doc + 1_000_000 })));
  return json + JSON.stringify(s.toPlainJSON());
}

describe('ContextKernel (WebAssembly hot loop)', () => {
  afterEach(() => {
    UnitStream.hotLoop = 'wasm';
  });

  for (const units of [1, 2, 7, 16]) {
    it(`gives the JavaScript loop's stream bit for bit (${units} units)`, () => {
      const contexts = hostileContexts(units, 90, units);
      // hi = 2 and lo = −1 sit on special values; narrow ranges send many values to the under/overflow slots.
      const ranges = Array.from({ length: units }, (_, u) => (u % 2 ? { lo: -1, hi: 2 } : { lo: -0.25, hi: 3 }));
      const options: UnitStreamOptions = { ranges, k: 4, extraCandidates: 2, randomK: 3, bins: 9, seed: 11, before: 5, after: 2 };
      for (const batch of [1, 8, 90]) expect(streamed(options, contexts, 'wasm', batch)).toBe(streamed(options, contexts, 'js', batch));
    });
  }

  it('grows its buffers for a context longer than any before, keeping the counts it holds', () => {
    const contexts = hostileContexts(5, 30, 7);
    const long = hostileContexts(5, 1, 8)[0];
    const n = 300;
    const data = new Float32Array(n * 5).map((_, i) => Math.sin(i) * 2);
    contexts.splice(10, 0, { ...long, doc: 9999, tokens: Array.from({ length: n }, (_, i) => i % 97), data });
    const options: UnitStreamOptions = {
      ranges: Array.from({ length: 5 }, () => ({ lo: -1.5, hi: 3.5 })),
      k: 3,
      randomK: 2,
      bins: 12,
      seed: 4,
    };
    expect(streamed(options, contexts, 'wasm', 4)).toBe(streamed(options, contexts, 'js', 4));
  });

  it('keeps long windows (whole context prefixes, copied as rows) as the JavaScript loop does', () => {
    const rng = makeRng(21);
    const units = 6;
    const contexts: ContextActivations[] = Array.from({ length: 40 }, (_, doc) => {
      const n = 60 + rng.int(90);
      return {
        doc,
        tokens: Array.from({ length: n }, () => rng.int(50)),
        data: Float32Array.from({ length: n * units }, () => rng.next() * 4 - 1),
        offset: 0,
        posStride: units,
        unitStride: 1,
        firstPos: 1,
      };
    });
    const options: UnitStreamOptions = {
      ranges: Array.from({ length: units }, () => ({ lo: -1, hi: 3 })),
      k: 3,
      extraCandidates: 2,
      randomK: 2,
      bins: 8,
      seed: 3,
      before: 127,
      after: 16,
    };
    for (const batch of [1, 40]) expect(streamed(options, contexts, 'wasm', batch)).toBe(streamed(options, contexts, 'js', batch));
  });

  it('merges kernel-streamed shards to the single stream', () => {
    const contexts = hostileContexts(6, 60, 99);
    const options: UnitStreamOptions = {
      ranges: Array.from({ length: 6 }, () => ({ lo: -1.5, hi: 3.5 })),
      k: 3,
      randomK: 2,
      bins: 12,
      seed: 4,
    };
    const whole = new UnitStream(options);
    whole.observeContexts(contexts);
    const a = new UnitStream(options);
    a.observeContexts(contexts.slice(0, 23));
    const b = new UnitStream(options);
    b.observeContexts(contexts.slice(23));
    expect(UnitStream.merge(b, a).toPlainJSON()).toEqual(whole.toPlainJSON());
  });

  it('adds sums exactly as ExactSums does, over the whole float64 range', () => {
    // Subnormals, the largest finite values, signs, zeros, and values whose limbs straddle a 32-bit boundary.
    const specials = [
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      1.7976931348623157e308,
      -1.7976931348623157e308,
      0,
      -0,
      1,
      -1,
      2 ** 31,
      2 ** 32 + 1,
      -(2 ** 53) + 1,
      0.1,
      -3.75e-7,
      1e300,
      1e-300,
    ];
    const rng = makeRng(5);
    const units = 3;
    const kernel = new ContextKernel(units, 4);
    kernel.startCounting(new Float64Array(units * 6));
    const reference = [1, 2, 3, 4].map(() => new ExactSums(units));
    for (let context = 0; context < 200; context++) {
      for (let power = 1 as 1 | 2 | 3 | 4; power <= 4; power++) {
        const sums = kernel.sum(power);
        for (let u = 0; u < units; u++) {
          // Huge values only a few times: their sum must stay finite.
          const x = rng.next() < 0.3 ? specials[rng.int(specials.length)] : (rng.next() - 0.5) * 10 ** rng.int(12);
          sums[u] = Math.abs(x) > 1e300 && context > 3 ? 1 : x;
          reference[power - 1].add(u, sums[u]);
        }
      }
      kernel.addSums();
    }
    const totals = [1, 2, 3, 4].map(() => new ExactSums(units));
    kernel.addExactSumsTo(totals);
    for (let p = 0; p < 4; p++) {
      expect(totals[p].toJSON()).toEqual(reference[p].toJSON());
      for (let u = 0; u < units; u++) expect(totals[p].value(u)).toBe(reference[p].value(u));
    }
  });
});
