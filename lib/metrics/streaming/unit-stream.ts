/**
 * Everything headwiki streams per unit (a neuron, a head, a random direction) over a corpus, in one object:
 * moments, a fixed-edge histogram, top-k examples, quantile samples (a keyed reservoir per histogram bin)
 * and random samples (a keyed reservoir). Memory: units × (k + bins + randomK) examples, independent of
 * the corpus' length. `UnitStream.merge(a, b)` is exact (see each part), provided shards hold whole contexts,
 * share the options (ranges, seed) and number contexts globally.
 */
import { BoundedBest, type BoundedBestJSON } from './bounded-best';
import { byKeyAsc, byValueDesc, tokenKey, windowAround, type UnitExample } from './example';
import { UnitHistograms, type HistogramRange, type UnitHistogramsJSON } from './histogram';
import { UnitMoments, type MomentStats, type UnitMomentsJSON } from './moments';
import { diverseExamples } from './diverse';

export interface UnitStreamOptions {
  /** Histogram range per unit (decided before the stream, the same in every shard). */
  ranges: HistogramRange[];
  bins?: number;
  /** Top examples kept per unit (default 20). */
  k?: number;
  /** Extra top candidates kept so that `diverse` still has k after deduplication (default k). */
  extraCandidates?: number;
  /** Random samples per unit (default 10). */
  randomK?: number;
  /** Seed of the sampling keys. */
  seed?: number;
  /** Window of top examples: tokens before / after the max token (default 48 / 16). */
  before?: number;
  after?: number;
  /** Window of quantile and random samples (default 16 / 4): they are many, keep them small. */
  sampleBefore?: number;
  sampleAfter?: number;
}

/** One context's activations: value(u, p) = data[offset + p·posStride + u·unitStride] for p < tokens.length. */
export interface ContextActivations {
  doc: number;
  tokens: ArrayLike<number>;
  data: Float32Array;
  offset: number;
  posStride: number;
  unitStride: number;
  /** Positions before this are not observed (e.g. 1 to skip BOS); default 0. */
  firstPos?: number;
}

export const DEFAULT_QUANTILES = [0.25, 0.5, 0.75, 0.9, 0.95] as const;

export interface UnitSummary {
  stats: MomentStats;
  histogram: { edges: number[]; counts: number[]; underflow: number; overflow: number };
  quantiles: { q: number; value: number }[];
  /** One example per quantile: a random token from the histogram bin that holds the quantile. */
  quantileSamples: { q: number; example: UnitExample | null }[];
  top: UnitExample[];
  diverse: UnitExample[];
  random: UnitExample[];
}

export interface UnitStreamJSON {
  options: Required<UnitStreamOptions>;
  moments: UnitMomentsJSON;
  histograms: UnitHistogramsJSON;
  top: BoundedBestJSON<UnitExample>;
  binSamples: BoundedBestJSON<UnitExample>;
  random: BoundedBestJSON<UnitExample>;
}

function withDefaults(o: UnitStreamOptions): Required<UnitStreamOptions> {
  const k = o.k ?? 20;
  return {
    ranges: o.ranges,
    bins: o.bins ?? 50,
    k,
    extraCandidates: o.extraCandidates ?? k,
    randomK: o.randomK ?? 10,
    seed: o.seed ?? 0,
    before: o.before ?? 48,
    after: o.after ?? 16,
    sampleBefore: o.sampleBefore ?? 16,
    sampleAfter: o.sampleAfter ?? 4,
  };
}

export class UnitStream {
  readonly options: Required<UnitStreamOptions>;
  readonly units: number;
  readonly moments: UnitMoments;
  readonly histograms: UnitHistograms;
  readonly top: BoundedBest<UnitExample>;
  /** Slot u·(bins+2)+s: one random token of unit u's histogram slot s. */
  readonly binSamples: BoundedBest<UnitExample>;
  readonly random: BoundedBest<UnitExample>;
  private readonly maxVal: Float64Array;
  private readonly maxPos: Int32Array;
  private readonly minVal: Float64Array;
  /** Scratch item for the exact pre-acceptance comparisons (never stored). */
  private readonly probe: UnitExample = { value: 0, doc: 0, pos: 0, key: 0, windowStart: 0, tokens: [], acts: [] };
  /** Per reservoir slot, the largest key it keeps when full (Infinity while not full): a fast pre-check. */
  private readonly binBar: Float64Array;
  private readonly randomBar: Float64Array;
  /** Per unit, the smallest kept top value when full (-Infinity while not full). */
  private readonly topBar: Float64Array;

  constructor(options: UnitStreamOptions, parts?: Pick<UnitStream, 'moments' | 'histograms' | 'top' | 'binSamples' | 'random'>) {
    this.options = withDefaults(options);
    const o = this.options;
    this.units = o.ranges.length;
    this.moments = parts?.moments ?? new UnitMoments(this.units);
    this.histograms = parts?.histograms ?? new UnitHistograms(o.ranges, o.bins);
    this.top = parts?.top ?? new BoundedBest(this.units, o.k + o.extraCandidates, byValueDesc);
    this.binSamples = parts?.binSamples ?? new BoundedBest(this.units * (o.bins + 2), 1, byKeyAsc);
    this.random = parts?.random ?? new BoundedBest(this.units, o.randomK, byKeyAsc);
    this.maxVal = new Float64Array(this.units);
    this.maxPos = new Int32Array(this.units);
    this.minVal = new Float64Array(this.units);
    this.binBar = Float64Array.from({ length: this.units * (o.bins + 2) }, (_, s) => this.binSamples.bar(s)?.key ?? Infinity);
    this.randomBar = Float64Array.from({ length: this.units }, (_, u) => this.random.bar(u)?.key ?? Infinity);
    this.topBar = Float64Array.from({ length: this.units }, (_, u) => this.top.bar(u)?.value ?? -Infinity);
  }

  /**
   * Observes every unit on every position of one context. Contexts are the blocks of exact merging.
   *
   * The hot loop of a corpus scan, so it is one pass over the activations, with every statistic updated for
   * each value while it is in a register (moments, histogram slot, the context's max and min, the reservoirs'
   * pre-checks): typed arrays only, no calls or allocations per value except for rare sample candidates.
   * The result is exactly that of observing the parts one by one (streaming.test.ts checks it).
   */
  observeContext(c: ContextActivations): void {
    const { data, offset, posStride, unitStride, doc, tokens } = c;
    const n = tokens.length;
    const first = c.firstPos ?? 0;
    const units = this.units;
    const o = this.options;
    const seed = o.seed;
    const bins = o.bins;
    const slotsPerUnit = bins + 2;
    const { maxVal, maxPos, minVal, binBar, randomBar } = this;
    const { b1, b2, b3, b4, positive } = this.moments;
    const { lo, scale, counts } = this.histograms;
    maxVal.fill(-Infinity);
    minVal.fill(Infinity);
    maxPos.fill(-1);
    // Every unit observes the same tokens with the same keys, so the random samples' bars agree across units
    // (checked per unit anyway): a token whose key is above all of them skips that check for every unit.
    let randomMax = maxOf(randomBar);
    for (let p = first; p < n; p++) {
      const key = tokenKey(seed, doc, p);
      const randomCandidate = key <= randomMax;
      for (let u = 0, i = offset + p * posStride; u < units; u++, i += unitStride) {
        const x = data[i];
        if (x > maxVal[u]) {
          maxVal[u] = x;
          maxPos[u] = p;
        }
        if (x < minVal[u]) minVal[u] = x;
        if (x > 0) positive[u]++;
        const x2 = x * x;
        b1[u] += x;
        b2[u] += x2;
        b3[u] += x2 * x;
        b4[u] += x2 * x2;
        // Histogram slot: one multiply and a truncation inside the range (f ≥ 0 there, so |0 is ⌊f⌋).
        const f = (x - lo[u]) * scale[u];
        const slot = u * slotsPerUnit + (f >= 0 && f < bins ? (f | 0) + 1 : this.histograms.slot(u, x));
        counts[slot]++;
        // Reservoirs: cheap necessary conditions (keys are uint32; a full slot's bar is its largest kept key);
        // only candidates pay for the exact comparison and a window copy.
        if (key <= binBar[slot] || (randomCandidate && key <= randomBar[u])) this.offerSample(c, u, p, x, key, slot);
      }
      if (randomCandidate) randomMax = maxOf(randomBar);
    }
    if (n > first) this.moments.addObserved(n - first, minVal, maxVal);
    this.moments.flushBlock();
    // Top-k: one example per context per unit (its max token), so one long text cannot fill the list.
    const probe = this.probe;
    probe.doc = doc;
    for (let u = 0; u < units; u++) {
      const p = maxPos[u];
      if (p < 0) continue;
      // A full list's bar value is a necessary condition (ties go to the exact comparison).
      if (maxVal[u] < this.topBar[u]) continue;
      probe.value = maxVal[u];
      probe.pos = p;
      if (this.top.wouldAccept(u, probe)) {
        this.top.offer(u, this.example(c, u, p, maxVal[u], undefined, o.before, o.after));
        this.topBar[u] = this.top.bar(u)?.value ?? -Infinity;
      }
    }
  }

  /** A value that passed the reservoirs' pre-check: offered to its histogram slot's sample and the random sample. */
  private offerSample(c: ContextActivations, u: number, p: number, x: number, key: number, binSlot: number): void {
    const o = this.options;
    const probe = this.probe;
    probe.doc = c.doc;
    probe.pos = p;
    probe.key = key;
    probe.value = x;
    // key < bar already decides acceptance (a smaller key comes first); only a tie needs the full comparison.
    const binBar = this.binBar[binSlot];
    if (key < binBar || (key === binBar && this.binSamples.wouldAccept(binSlot, probe))) {
      this.binSamples.offer(binSlot, this.example(c, u, p, x, key, o.sampleBefore, o.sampleAfter));
      this.binBar[binSlot] = this.binSamples.bar(binSlot)?.key ?? Infinity;
    }
    const randomBar = this.randomBar[u];
    if (key < randomBar || (key === randomBar && this.random.wouldAccept(u, probe))) {
      this.random.offer(u, this.example(c, u, p, x, key, o.sampleBefore, o.sampleAfter));
      this.randomBar[u] = this.random.bar(u)?.key ?? Infinity;
    }
  }

  private example(c: ContextActivations, u: number, p: number, value: number, key: number | undefined, before: number, after: number): UnitExample {
    const { start, end } = windowAround(p, c.tokens.length, before, after);
    const tokens: number[] = new Array(end - start);
    const acts: number[] = new Array(end - start);
    for (let i = start; i < end; i++) {
      tokens[i - start] = c.tokens[i];
      acts[i - start] = c.data[c.offset + i * c.posStride + u * c.unitStride];
    }
    const e: UnitExample = { value, doc: c.doc, pos: p, windowStart: start, tokens, acts };
    if (key !== undefined) e.key = key;
    return e;
  }

  /** Adds b into a (same options); exact. Returns a. */
  static merge(a: UnitStream, b: UnitStream): UnitStream {
    assertSameOptions(a.options, b.options);
    UnitMoments.merge(a.moments, b.moments);
    UnitHistograms.merge(a.histograms, b.histograms);
    BoundedBest.merge(a.top, b.top);
    BoundedBest.merge(a.binSamples, b.binSamples);
    BoundedBest.merge(a.random, b.random);
    a.refreshBars();
    return a;
  }

  private refreshBars(): void {
    for (let s = 0; s < this.binBar.length; s++) this.binBar[s] = this.binSamples.bar(s)?.key ?? Infinity;
    for (let u = 0; u < this.units; u++) {
      this.randomBar[u] = this.random.bar(u)?.key ?? Infinity;
      this.topBar[u] = this.top.bar(u)?.value ?? -Infinity;
    }
  }

  summary(u: number, quantiles: readonly number[] = DEFAULT_QUANTILES): UnitSummary {
    const stats = this.moments.stats(u);
    const row = this.histograms.row(u);
    const bins = this.options.bins;
    const qs = quantiles.map((q) => ({ q, value: this.histograms.quantile(u, q, stats.min, stats.max) }));
    const quantileSamples = qs.map(({ q, value }) => {
      const slot = Number.isNaN(value) ? -1 : this.histograms.slot(u, value);
      const found = slot < 0 ? [] : this.binSamples.sorted(u * (bins + 2) + slot);
      return { q, example: found[0] ?? null };
    });
    const candidates = this.top.sorted(u);
    return {
      stats,
      histogram: { edges: this.histograms.edges(u), counts: row.slice(1, bins + 1), underflow: row[0], overflow: row[bins + 1] },
      quantiles: qs,
      quantileSamples,
      top: candidates.slice(0, this.options.k),
      diverse: diverseExamples(candidates, this.options.k),
      random: this.random.sorted(u),
    };
  }

  toJSON(): UnitStreamJSON {
    return {
      options: this.options,
      moments: this.moments.toJSON(),
      histograms: this.histograms.toJSON(),
      top: this.top.toJSON(),
      binSamples: this.binSamples.toJSON(),
      random: this.random.toJSON(),
    };
  }

  static fromJSON(j: UnitStreamJSON): UnitStream {
    return new UnitStream(j.options, {
      moments: UnitMoments.fromJSON(j.moments),
      histograms: UnitHistograms.fromJSON(j.histograms),
      top: BoundedBest.fromJSON(j.top, byValueDesc),
      binSamples: BoundedBest.fromJSON(j.binSamples, byKeyAsc),
      random: BoundedBest.fromJSON(j.random, byKeyAsc),
    });
  }
}

function maxOf(xs: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i] > m) m = xs[i];
  return m;
}

function assertSameOptions(a: Required<UnitStreamOptions>, b: Required<UnitStreamOptions>): void {
  const { ranges: ra, ...restA } = a;
  const { ranges: rb, ...restB } = b;
  if (JSON.stringify(restA) !== JSON.stringify(restB) || JSON.stringify(ra) !== JSON.stringify(rb)) {
    throw new Error('UnitStream.merge: shards were streamed with different options (ranges, k, seed, windows); they cannot merge');
  }
}
