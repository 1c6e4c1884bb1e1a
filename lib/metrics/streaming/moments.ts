/**
 * Running moments of many units' activations: count, min, max, how many are > 0 (density), and the power
 * sums Σx, Σx², Σx³, Σx⁴ kept exactly (ExactSums), from which mean, variance, skewness and kurtosis follow.
 *
 * Values are observed inside *blocks* (one context of a corpus scan): a block's partial sums are plain
 * float64 in observation order, then added exactly into the totals at `flushBlock()`. As long as a block is
 * never split between shards (shards are sets of whole contexts), `merge(a, b)` gives bit-identical
 * results for every split of the stream and every merge order.
 */
import { ExactSums } from './exact-sum';

export interface MomentStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Population variance. */
  variance: number;
  /** Fisher skewness m3 / m2^1.5 (0 when the variance is 0). */
  skewness: number;
  /** Excess kurtosis m4 / m2² − 3 (0 for a Gaussian; 0 when the variance is 0). */
  kurtosis: number;
  /** Fraction of values > 0. */
  density: number;
}

export interface UnitMomentsJSON {
  units: number;
  count: number[];
  positive: number[];
  min: number[];
  max: number[];
  sums: ReturnType<ExactSums['toJSON']>[];
}

export class UnitMoments {
  readonly count: Float64Array;
  readonly positive: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Σx^p for p = 1..4. */
  readonly sums: ExactSums[];
  /** Block partials Σx..Σx⁴ (float64, observation order). Public for fused hot loops: see `addObserved`. */
  readonly b1: Float64Array;
  readonly b2: Float64Array;
  readonly b3: Float64Array;
  readonly b4: Float64Array;
  private blockDirty = false;
  /**
   * Per power p (Σx^p, p = 1..4), per unit: a float64 that is exactly the sum of the context sums `addContextSums`
   * added since it was last emptied into `sums` (allocated at the first such call).
   */
  private pending: Float64Array[] | undefined;
  private pendingDirty = false;

  constructor(readonly units: number) {
    this.count = new Float64Array(units);
    this.positive = new Float64Array(units);
    this.min = new Float64Array(units).fill(Infinity);
    this.max = new Float64Array(units).fill(-Infinity);
    this.sums = [1, 2, 3, 4].map(() => new ExactSums(units));
    this.b1 = new Float64Array(units);
    this.b2 = new Float64Array(units);
    this.b3 = new Float64Array(units);
    this.b4 = new Float64Array(units);
  }

  /** One value of unit u (inside the current block). */
  observe(u: number, x: number): void {
    this.count[u]++;
    if (x > 0) this.positive[u]++;
    if (x < this.min[u]) this.min[u] = x;
    if (x > this.max[u]) this.max[u] = x;
    const x2 = x * x;
    this.b1[u] += x;
    this.b2[u] += x2;
    this.b3[u] += x2 * x;
    this.b4[u] += x2 * x2;
    this.blockDirty = true;
  }

  /** One value of every unit: value of unit u = data[rowBase + u·unitStride]. The hot loop of a scan. */
  observeRow(data: Float32Array, rowBase: number, unitStride: number): void {
    const { count, positive, min, max, b1, b2, b3, b4 } = this;
    for (let u = 0, i = rowBase; u < this.units; u++, i += unitStride) {
      const x = data[i];
      count[u]++;
      if (x > 0) positive[u]++;
      if (x < min[u]) min[u] = x;
      if (x > max[u]) max[u] = x;
      const x2 = x * x;
      b1[u] += x;
      b2[u] += x2;
      b3[u] += x2 * x;
      b4[u] += x2 * x2;
    }
    this.blockDirty = true;
  }

  /**
   * For a fused loop (UnitStream.observeContext) that keeps b1..b4 and `positive` itself (in these arrays, or in
   * the WebAssembly kernel, which adds its sums exactly on its own), one pass over the activations instead of one
   * per statistic: records that it observed `n` values of every unit, with these minima and maxima. The state is
   * then exactly what `observeRow` on the same rows would have left.
   */
  addObserved(n: number, min: ArrayLike<number>, max: ArrayLike<number>): void {
    if (n <= 0) return;
    const { count } = this;
    for (let u = 0; u < this.units; u++) {
      count[u] += n;
      if (min[u] < this.min[u]) this.min[u] = min[u];
      if (max[u] > this.max[u]) this.max[u] = max[u];
    }
    this.blockDirty = true;
  }

  /**
   * Adds one context's power sums of every unit, Σx^p at sums[offset + (p − 1) · units + u] (e.g. a context's
   * float32 sums from PositionReducer), exactly: like a block's partials at `flushBlock`, at a fraction of the cost.
   * Each unit keeps a float64 running total for as long as every addition into it is exact (TwoSum's error term is
   * zero: float32 sums of similar magnitude add exactly for a long time); an addition that would round moves the
   * running total into the ExactSums first. So the totals are exact sums of the same values, for any split.
   * The caller checks that the sums are finite.
   */
  addContextSums(sums: ArrayLike<number>, offset: number): void {
    const units = this.units;
    this.pending ??= [1, 2, 3, 4].map(() => new Float64Array(units));
    for (let p = 0; p < 4; p++) {
      const pend = this.pending[p];
      const exact = this.sums[p];
      const at = offset + p * units;
      for (let u = 0; u < units; u++) {
        const x = sums[at + u];
        const a = pend[u];
        const total = a + x;
        const bv = total - a;
        if (a - (total - bv) + (x - bv) === 0) pend[u] = total;
        else {
          exact.add(u, a);
          pend[u] = x;
        }
      }
    }
    this.pendingDirty = true;
  }

  /** Moves the running totals of addContextSums into the exact sums. */
  private flushPending(): void {
    if (!this.pendingDirty || !this.pending) return;
    this.pending.forEach((pend, p) => {
      for (let u = 0; u < this.units; u++) if (pend[u] !== 0) this.sums[p].add(u, pend[u]);
      pend.fill(0);
    });
    this.pendingDirty = false;
  }

  /** Ends a block: its partial sums go exactly into the totals. Call at every context boundary. */
  flushBlock(): void {
    this.flushPending();
    if (!this.blockDirty) return;
    const parts = [this.b1, this.b2, this.b3, this.b4];
    for (let p = 0; p < 4; p++) {
      const part = parts[p];
      const sums = this.sums[p];
      for (let u = 0; u < this.units; u++) {
        if (part[u] !== 0) sums.add(u, part[u]);
      }
      part.fill(0);
    }
    this.blockDirty = false;
  }

  /** Adds b into a (both flushed); exact. Returns a. */
  static merge(a: UnitMoments, b: UnitMoments): UnitMoments {
    if (a.units !== b.units) throw new Error(`UnitMoments.merge: ${a.units} units vs ${b.units}`);
    a.flushBlock();
    b.flushBlock();
    for (let u = 0; u < a.units; u++) {
      a.count[u] += b.count[u];
      a.positive[u] += b.positive[u];
      a.min[u] = Math.min(a.min[u], b.min[u]);
      a.max[u] = Math.max(a.max[u], b.max[u]);
    }
    a.sums.forEach((s, p) => s.merge(b.sums[p]));
    return a;
  }

  stats(u: number): MomentStats {
    this.flushBlock();
    const n = this.count[u];
    if (n === 0) return { count: 0, min: NaN, max: NaN, mean: NaN, variance: NaN, skewness: NaN, kurtosis: NaN, density: NaN };
    const [e1, e2, e3, e4] = this.sums.map((s) => s.value(u) / n);
    const mean = e1;
    // Central moments from raw moments (float64; the raw sums themselves are exact).
    const m2 = Math.max(0, e2 - mean * mean);
    const m3 = e3 - 3 * mean * e2 + 2 * mean ** 3;
    const m4 = e4 - 4 * mean * e3 + 6 * mean * mean * e2 - 3 * mean ** 4;
    const tiny = m2 <= 1e-300 || m2 <= 1e-12 * Math.max(e2, 1e-300);
    return {
      count: n,
      min: this.min[u],
      max: this.max[u],
      mean,
      variance: m2,
      skewness: tiny ? 0 : m3 / m2 ** 1.5,
      kurtosis: tiny ? 0 : m4 / (m2 * m2) - 3,
      density: this.positive[u] / n,
    };
  }

  toJSON(): UnitMomentsJSON {
    this.flushBlock();
    return {
      units: this.units,
      count: Array.from(this.count),
      positive: Array.from(this.positive),
      // JSON has no Infinity: an empty unit's min/max travel as null.
      min: Array.from(this.min, (v) => (Number.isFinite(v) ? v : (null as unknown as number))),
      max: Array.from(this.max, (v) => (Number.isFinite(v) ? v : (null as unknown as number))),
      sums: this.sums.map((s) => s.toJSON()),
    };
  }

  static fromJSON(j: UnitMomentsJSON): UnitMoments {
    const m = new UnitMoments(j.units);
    m.count.set(j.count);
    m.positive.set(j.positive);
    m.min.set(j.min.map((v) => (v === null ? Infinity : v)));
    m.max.set(j.max.map((v) => (v === null ? -Infinity : v)));
    j.sums.forEach((s, p) => m.sums[p].merge(ExactSums.fromJSON(s)));
    return m;
  }
}
