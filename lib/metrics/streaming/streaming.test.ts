import { describe, expect, it } from 'vitest';
import { makeRng } from '@/lib/sampling/random';
import { decodeResult, encodeResult } from '@/lib/queue/result-codec';
import {
  BoundedBest,
  ExactSums,
  UnitHistograms,
  UnitMoments,
  UnitStream,
  byKeyAsc,
  byValueDesc,
  tokenKey,
  diverseExamples,
  rangesFromCalibration,
  type ContextActivations,
  type UnitExample,
  type UnitStreamPlainJSON,
  type UnitStreamOptions,
} from './index';

describe('ExactSums', () => {
  it('sums exactly where float64 addition loses digits, whatever the order', () => {
    const xs = [1e16, 1, -1e16, 1, 2 ** -1074, 3.5e-300, -3.5e-300, 1e308, -1e308];
    const forward = new ExactSums(1);
    xs.forEach((x) => forward.add(0, x));
    const backward = new ExactSums(1);
    [...xs].reverse().forEach((x) => backward.add(0, x));
    expect(forward.value(0)).toBe(2); // 2 + 2^-1074 rounds to 2
    expect(backward.value(0)).toBe(2);
    const tiny = new ExactSums(1);
    tiny.add(0, 2 ** -1074);
    tiny.add(0, 2 ** -1074);
    expect(tiny.value(0)).toBe(2 ** -1073);
  });

  it('handles negative totals and survives JSON', () => {
    const s = new ExactSums(2);
    s.add(0, -1.5);
    s.add(0, 0.25);
    s.add(1, 0.1);
    const back = ExactSums.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.value(0)).toBe(-1.25);
    expect(back.value(1)).toBe(0.1);
  });

  it('merges to the same bits for any split', () => {
    const rng = makeRng(3);
    const xs = Array.from({ length: 5000 }, () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 12 - 6));
    const whole = new ExactSums(1);
    xs.forEach((x) => whole.add(0, x));
    for (const cut of [1, 777, 2500, 4999]) {
      const a = new ExactSums(1);
      const b = new ExactSums(1);
      xs.slice(0, cut).forEach((x) => a.add(0, x));
      xs.slice(cut).forEach((x) => b.add(0, x));
      expect(b.merge(a).value(0)).toBe(whole.value(0));
    }
  });
});

describe('UnitMoments', () => {
  it('gives the known moments of a small sample', () => {
    // 1, 2, 3, 4: mean 2.5, population variance 1.25, skew 0, excess kurtosis −1.36.
    const m = new UnitMoments(1);
    [1, 2, 3, 4].forEach((x) => m.observe(0, x));
    m.flushBlock();
    const s = m.stats(0);
    expect(s.mean).toBe(2.5);
    expect(s.variance).toBeCloseTo(1.25, 12);
    expect(s.skewness).toBeCloseTo(0, 12);
    expect(s.kurtosis).toBeCloseTo(1.64 - 3, 12);
    expect(s.density).toBe(1);
    expect([s.min, s.max]).toEqual([1, 4]);
  });

  it('skewness of an exponential-like sample is positive; density counts only x > 0', () => {
    const m = new UnitMoments(1);
    [0, 0, 0, 0, 10].forEach((x) => m.observe(0, x));
    const s = m.stats(0);
    expect(s.density).toBeCloseTo(0.2, 12);
    // Bernoulli(0.2) scaled: skew (1−2p)/√(p(1−p)) = 1.5, excess kurtosis (1−6p(1−p))/(p(1−p)) = 0.25.
    expect(s.skewness).toBeCloseTo(1.5, 10);
    expect(s.kurtosis).toBeCloseTo(0.25, 10);
  });
});

describe('UnitHistograms', () => {
  it('bins values with under/overflow and reads quantiles back', () => {
    const h = new UnitHistograms([{ lo: 0, hi: 10 }], 10);
    for (let i = 0; i < 100; i++) h.observe(0, i / 10); // 0.0 .. 9.9: 10 per bin
    h.observe(0, -1);
    h.observe(0, 10); // hi itself: last bin
    h.observe(0, 11);
    const row = h.row(0);
    expect(row[0]).toBe(1);
    expect(row.slice(1, 11)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 11]);
    expect(row[11]).toBe(1);
    expect(h.quantile(0, 0.5, -1, 11)).toBeCloseTo(5.05, 10); // 1 underflow + 5 bins of 10 = 51 below 5; 0.5 more of bin [5, 6);
  });

  it('refuses to merge histograms with other edges', () => {
    expect(() => UnitHistograms.merge(new UnitHistograms([{ lo: 0, hi: 1 }]), new UnitHistograms([{ lo: 0, hi: 2 }]))).toThrow(
      /different edges/,
    );
  });
});

describe('BoundedBest', () => {
  it('keeps the k largest values with a total order on ties', () => {
    const b = new BoundedBest<UnitExample>(1, 3, byValueDesc);
    const ex = (value: number, doc: number): UnitExample => ({ value, doc, pos: 0, windowStart: 0, tokens: [], acts: [] });
    [5, 1, 9, 5, 7, 5].forEach((v, i) => b.offer(0, ex(v, i)));
    expect(b.sorted(0).map((e) => [e.value, e.doc])).toEqual([
      [9, 2],
      [7, 4],
      [5, 0],
    ]);
  });
});

describe('diverseExamples', () => {
  it('drops windows that repeat the phrase before the max token', () => {
    const ex = (value: number, tokens: number[]): UnitExample => ({
      value,
      doc: value,
      pos: 4,
      windowStart: 0,
      tokens,
      acts: tokens.map(() => 0),
    });
    const list = [ex(9, [1, 2, 3, 4, 5]), ex(8, [7, 2, 3, 4, 5]), ex(7, [10, 11, 12, 13, 14])];
    expect(diverseExamples(list, 5).map((e) => e.value)).toEqual([9, 7]);
  });
});

/** A synthetic stream: `contexts` contexts of random length with 3 units of different shapes. */
function syntheticContexts(contexts: number) {
  const rng = makeRng(42);
  return Array.from({ length: contexts }, (_, doc) => {
    const n = 5 + rng.int(20);
    const tokens = Array.from({ length: n }, () => rng.int(50));
    const data = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) {
      data[p * 3] = rng.next() * 4 - 1;
      data[p * 3 + 1] = tokens[p] === 7 ? 5 + rng.next() : Math.max(0, rng.next() - 0.8); // sparse "token 7" unit
      data[p * 3 + 2] = (rng.next() - 0.5) * 1e-3;
    }
    return { doc, tokens, data, offset: 0, posStride: 3, unitStride: 1 };
  });
}

describe('UnitStream', () => {
  const contexts = syntheticContexts(120);
  const ranges = rangesFromCalibration([-1, 0, -5e-4], [3, 6, 5e-4]);
  const options = { ranges, k: 5, randomK: 4, seed: 9, bins: 20 };
  const stream = (ctxs: typeof contexts) => {
    const s = new UnitStream(options);
    ctxs.forEach((c) => s.observeContext(c));
    return s;
  };
  const summaries = (s: UnitStream) => JSON.stringify([0, 1, 2].map((u) => s.summary(u)));

  it('merges shards to exactly the single-pass result, for any split and merge order', () => {
    const whole = summaries(stream(contexts));
    for (const cuts of [[60], [1, 2, 119], [17, 50, 51, 90]]) {
      const bounds = [0, ...cuts, contexts.length];
      const shards = bounds.slice(1).map((end, i) => stream(contexts.slice(bounds[i], end)));
      // Staged as job results travel (lib/queue/result-codec); merged right-to-left to vary the order.
      const revived = shards.map((s) => UnitStream.fromJSON(decodeResult(encodeResult(s))));
      const merged = revived.reduceRight((acc, s) => UnitStream.merge(acc, s));
      expect(summaries(merged)).toBe(whole);
    }
  });

  it('finds the planted sparse unit: top examples are all token 7, with their windows', () => {
    const s = stream(contexts).summary(1);
    expect(s.top).toHaveLength(5);
    for (const e of s.top) {
      expect(e.tokens[e.pos - e.windowStart]).toBe(7);
      expect(e.acts[e.pos - e.windowStart]).toBe(e.value);
      expect(e.value).toBeGreaterThanOrEqual(5);
    }
    expect(s.stats.max).toBeGreaterThanOrEqual(5);
    expect(s.quantiles.map((q) => q.q)).toEqual([0.25, 0.5, 0.75, 0.9, 0.95]);
    // The median of a mostly-zero unit is 0 and its sample comes from the bin that holds 0.
    expect(s.quantiles[1].value).toBeLessThan(0.31);
    expect(s.quantileSamples[1].example).not.toBeNull();
    expect(s.random).toHaveLength(4);
  });

  it('counts every observed value once', () => {
    const total = contexts.reduce((a, c) => a + c.tokens.length, 0);
    const s = stream(contexts).summary(0);
    expect(s.stats.count).toBe(total);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0) + s.histogram.underflow + s.histogram.overflow).toBe(total);
  });

  it('its one fused pass equals observing every part value by value (bit for bit, out-of-range values, strides, firstPos)', () => {
    // Narrow ranges put values in the under/overflow slots; a transposed copy exercises unitStride ≠ 1.
    const narrow = {
      ranges: [
        { lo: -0.5, hi: 2 },
        { lo: 0, hi: 1 },
        { lo: -1e-4, hi: 1e-4 },
      ],
      k: 3,
      randomK: 2,
      seed: 5,
      bins: 7,
      before: 4,
      after: 2,
    };
    const transposed = contexts.map((c) => {
      const n = c.tokens.length;
      const data = new Float32Array(1 + 3 * n);
      for (let p = 0; p < n; p++) for (let u = 0; u < 3; u++) data[1 + u * n + p] = c.data[p * 3 + u];
      return { ...c, data, offset: 1, posStride: 1, unitStride: n, firstPos: 1 };
    });
    for (const [opts, ctxs] of [
      [options, contexts],
      [narrow, contexts],
      [narrow, transposed],
    ] as const) {
      const fused = new UnitStream(opts);
      ctxs.forEach((c) => fused.observeContext(c));
      expect(fused.toPlainJSON()).toEqual(partByPart(ctxs, opts));
    }
  });

  it('observing contexts a batch at a time (evicted entries overwritten, windows from transposed or strided copies) changes nothing', () => {
    // Many evictions within and across batches: the first contexts fill every reservoir and top list.
    const narrow = {
      ranges: [
        { lo: -0.5, hi: 2 },
        { lo: 0, hi: 1 },
        { lo: -1e-4, hi: 1e-4 },
      ],
      k: 3,
      randomK: 2,
      seed: 5,
      bins: 7,
      before: 4,
      after: 2,
    };
    for (const opts of [options, narrow]) {
      const reference = partByPart(contexts, opts);
      for (const size of [1, 7, 33, contexts.length]) {
        const batched = new UnitStream(opts);
        for (let i = 0; i < contexts.length; i += size) batched.observeContexts(contexts.slice(i, i + size));
        expect(batched.toPlainJSON()).toEqual(reference);
      }
    }
  });
});

/** UnitStream's semantics spelt out with its parts, one value at a time (the reference for the fused loop). */
function partByPart(contexts: readonly ContextActivations[], options: UnitStreamOptions): UnitStreamPlainJSON {
  const o = new UnitStream(options).options;
  const units = o.ranges.length;
  const w = o.bins + 2;
  const moments = new UnitMoments(units);
  const hist = new UnitHistograms(o.ranges, o.bins);
  const top = new BoundedBest(units, o.k + o.extraCandidates, byValueDesc);
  const bins = new BoundedBest(units * w, 1, byKeyAsc);
  const random = new BoundedBest(units, o.randomK, byKeyAsc);
  for (const c of contexts) {
    const n = c.tokens.length;
    const at = (u: number, p: number) => c.data[c.offset + p * c.posStride + u * c.unitStride];
    const example = (u: number, p: number, before: number, after: number, key?: number): UnitExample => {
      const start = Math.max(0, p - before);
      const end = Math.min(n, p + after + 1);
      const e: UnitExample = { value: at(u, p), doc: c.doc, pos: p, windowStart: start, tokens: [], acts: [] };
      for (let i = start; i < end; i++) {
        e.tokens.push(c.tokens[i]);
        e.acts.push(at(u, i));
      }
      if (key !== undefined) e.key = key;
      return e;
    };
    for (let u = 0; u < units; u++) {
      let best = -1;
      for (let p = c.firstPos ?? 0; p < n; p++) {
        const x = at(u, p);
        const key = tokenKey(o.seed, c.doc, p);
        moments.observe(u, x);
        const slot = hist.observe(u, x);
        bins.offer(u * w + slot, example(u, p, o.sampleBefore, o.sampleAfter, key));
        random.offer(u, example(u, p, o.sampleBefore, o.sampleAfter, key));
        if (best < 0 || x > at(u, best)) best = p;
      }
      if (best >= 0) top.offer(u, example(u, best, o.before, o.after));
    }
    moments.flushBlock();
  }
  return {
    options: o,
    moments: moments.toJSON(),
    histograms: hist.toJSON(),
    top: top.toJSON(),
    binSamples: bins.toJSON(),
    random: random.toJSON(),
  };
}

describe('UnitMoments.addContextSums', () => {
  it('adds context sums exactly (the same bits as ExactSums, for any split), even where float64 addition rounds', () => {
    // Magnitudes far apart, so that a plain float64 running total would round; cancellations; float32 values.
    const contexts = Array.from({ length: 60 }, (_, i) =>
      Float32Array.from({ length: 4 * 3 }, (_, j) => (((i * 37 + j * 11) % 17) - 8) * 2 ** (((i * 7 + j) % 40) - 20)),
    );
    const want = [1, 2, 3, 4].map(() => new ExactSums(3));
    for (const c of contexts) for (let p = 0; p < 4; p++) for (let u = 0; u < 3; u++) want[p].add(u, c[p * 3 + u]);
    const stream = (cs: Float32Array[]) => {
      const m = new UnitMoments(3);
      for (const c of cs) m.addContextSums(c, 0);
      return m;
    };
    const whole = stream(contexts);
    const merged = UnitMoments.merge(stream(contexts.slice(25)), stream(contexts.slice(0, 25)));
    for (const m of [whole, merged]) {
      m.flushBlock();
      for (let p = 0; p < 4; p++) expect(m.sums[p].toJSON()).toEqual(want[p].toJSON());
    }
  });
});
