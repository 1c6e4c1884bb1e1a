/**
 * Fixed-edge histograms for many units. Each unit's edges ([lo, hi] split into `bins` equal bins, plus an
 * underflow and an overflow bin) are decided before the stream starts (e.g. by a small calibration pass
 * over the first contexts), and every shard uses the same edges, so merging is adding integer counts:
 * exact for any split and order.
 */

export interface HistogramRange {
  lo: number;
  hi: number;
}

export interface UnitHistogramsJSON {
  bins: number;
  ranges: HistogramRange[];
  /** Per unit: [underflow, bin 0 .. bin bins-1, overflow]. */
  counts: number[][];
}

export class UnitHistograms {
  /** units × (bins + 2) counts: [underflow, bins..., overflow]. */
  readonly counts: Float64Array;
  /** Per unit: lo and bins / (hi − lo); slot = 1 + ⌊(x − lo) · scale⌋ inside the range (public for fused loops). */
  readonly lo: Float64Array;
  readonly scale: Float64Array;

  constructor(
    readonly ranges: readonly HistogramRange[],
    readonly bins = 50,
  ) {
    if (!Number.isInteger(bins) || bins < 1) throw new Error(`UnitHistograms: bins must be a positive integer, got ${bins}`);
    this.counts = new Float64Array(ranges.length * (bins + 2));
    this.lo = new Float64Array(ranges.length);
    this.scale = new Float64Array(ranges.length);
    ranges.forEach((r, u) => {
      if (!(Number.isFinite(r.lo) && Number.isFinite(r.hi) && r.hi > r.lo)) {
        throw new Error(`UnitHistograms: unit ${u} has range [${r.lo}, ${r.hi}]; need finite lo < hi`);
      }
      this.lo[u] = r.lo;
      this.scale[u] = bins / (r.hi - r.lo);
    });
  }

  get units(): number {
    return this.ranges.length;
  }

  /** Slot of x in unit u's row: 0 = underflow, 1..bins = bins, bins+1 = overflow. */
  slot(u: number, x: number): number {
    const f = (x - this.lo[u]) * this.scale[u];
    if (f < 0) return 0;
    if (f >= this.bins) return x <= this.ranges[u].hi ? this.bins : this.bins + 1; // hi itself is in the last bin
    return 1 + Math.floor(f);
  }

  observe(u: number, x: number): number {
    const s = this.slot(u, x);
    this.counts[u * (this.bins + 2) + s]++;
    return s;
  }

  /** Observes one value of every unit (value of u = data[rowBase + u·unitStride]); writes each unit's slot to `slots`. */
  observeRow(data: Float32Array, rowBase: number, unitStride: number, slots: Int32Array): void {
    const { lo, scale, counts, bins } = this;
    const w = bins + 2;
    for (let u = 0, i = rowBase; u < lo.length; u++, i += unitStride) {
      const x = data[i];
      const f = (x - lo[u]) * scale[u];
      const s = f < 0 ? 0 : f >= bins ? this.slot(u, x) : 1 + Math.floor(f);
      slots[u] = s;
      counts[u * w + s]++;
    }
  }

  /** Unit u's counts: [underflow, bin 0 .. bin bins-1, overflow]. */
  row(u: number): number[] {
    const w = this.bins + 2;
    return Array.from(this.counts.subarray(u * w, (u + 1) * w));
  }

  /** Bin edges of unit u (bins + 1 numbers). */
  edges(u: number): number[] {
    const { lo, hi } = this.ranges[u];
    return Array.from({ length: this.bins + 1 }, (_, i) => lo + ((hi - lo) * i) / this.bins);
  }

  /**
   * The q-quantile of unit u (0 ≤ q ≤ 1), interpolated linearly inside the bin that holds it. The underflow
   * and overflow bins span [min, lo] and [hi, max], so pass the exact min/max (from UnitMoments).
   */
  quantile(u: number, q: number, min: number, max: number): number {
    const row = this.row(u);
    const total = row.reduce((a, b) => a + b, 0);
    if (total === 0) return NaN;
    const target = q * total;
    const { lo, hi } = this.ranges[u];
    const width = (hi - lo) / this.bins;
    let seen = 0;
    for (let s = 0; s < row.length; s++) {
      if (row[s] === 0) continue;
      if (seen + row[s] >= target) {
        const [a, b] =
          s === 0 ? [min, Math.min(lo, max)] : s === this.bins + 1 ? [Math.max(hi, min), max] : [lo + (s - 1) * width, lo + s * width];
        const v = a + ((target - seen) / row[s]) * (b - a);
        return Math.min(max, Math.max(min, v));
      }
      seen += row[s];
    }
    return max;
  }

  /** Adds b's counts into a; the edges must be identical. Returns a. */
  static merge(a: UnitHistograms, b: UnitHistograms): UnitHistograms {
    if (a.bins !== b.bins || a.units !== b.units || a.ranges.some((r, u) => r.lo !== b.ranges[u].lo || r.hi !== b.ranges[u].hi)) {
      throw new Error('UnitHistograms.merge: histograms have different edges; shards must share the calibration');
    }
    for (let i = 0; i < a.counts.length; i++) a.counts[i] += b.counts[i];
    return a;
  }

  toJSON(): UnitHistogramsJSON {
    return { bins: this.bins, ranges: this.ranges.map((r) => ({ ...r })), counts: this.ranges.map((_, u) => this.row(u)) };
  }

  static fromJSON(j: UnitHistogramsJSON): UnitHistograms {
    const h = new UnitHistograms(j.ranges, j.bins);
    j.counts.forEach((row, u) => h.counts.set(row, u * (j.bins + 2)));
    return h;
  }
}

/**
 * Histogram ranges from a calibration sample (per unit min and max): widened by `margin` of the span on
 * each side so later contexts rarely fall outside (those still count, in the under/overflow bins).
 */
export function rangesFromCalibration(min: ArrayLike<number>, max: ArrayLike<number>, margin = 0.25): HistogramRange[] {
  return Array.from({ length: min.length }, (_, u) => {
    const lo = min[u];
    const hi = max[u];
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { lo: -1, hi: 1 };
    const span = hi - lo;
    const pad = span > 0 ? span * margin : Math.max(Math.abs(lo) * margin, 1e-6);
    return { lo: lo - pad, hi: hi + pad };
  });
}
