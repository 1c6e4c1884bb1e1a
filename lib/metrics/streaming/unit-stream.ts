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
import { WindowSlab } from './window-slab';
import { ContextKernel } from './context-kernel';

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

/**
 * Window markers of a candidate example whose window is not copied yet (`tokens === PENDING`), of such a
 * candidate that was evicted before its window was copied (`acts === EVICTED`), and of a window held in the
 * stream's slab (`IN_SLAB`, row `row`): see `UnitStream.flush` and `WindowSlab`.
 */
const PENDING: number[] = [];
const EVICTED: number[] = [];
const IN_SLAB: number[] = [];

/** An example while it streams: `row` is its window's slab row (−1 while it has none). */
type StreamedExample = UnitExample & { row: number };
/** Evicted candidates kept for reuse (bounds the free lists; they only save allocations). */
const MAX_FREE = 1 << 16;

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
  /**
   * Where the per-value loop runs: 'wasm' (ContextKernel, for contexts laid out position-major with units
   * contiguous, as a forward pass returns them) or 'js' (always; the reference the kernel is tested against).
   * Both give bit-identical streams.
   */
  static hotLoop: 'wasm' | 'js' = 'wasm';
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
  /**
   * Candidates accepted since the last flush, with the context and unit their window comes from. Most candidates
   * of a scan's early contexts are evicted again within a few contexts, so their windows are copied only at the
   * flush, for those still kept (the contexts are still in memory then).
   */
  private pendingE: StreamedExample[] = [];
  private pendingC: ContextActivations[] = [];
  private pendingU: number[] = [];
  /** Evicted, never-published candidates, reused: samples (with a key) and top candidates (without). */
  private freeSamples: StreamedExample[] = [];
  private freeTop: StreamedExample[] = [];
  /** Windows of kept examples while streaming: top (acts; tokens are shared per context) and samples (both). */
  private readonly topSlab: WindowSlab;
  private readonly sampleSlab: WindowSlab;
  /** Sampling keys of the current context's positions (scratch). */
  private keys = new Float64Array(0);
  /** The WebAssembly hot loop, made at the first context it can observe. */
  private kernel: ContextKernel | undefined;
  /**
   * True while the kernel's memory holds the authoritative histogram counts and positive counts (the kernel
   * updates them); `syncFromKernel` copies them back before anything else reads or writes them. The reservoir
   * bars stay authoritative here and are mirrored into the kernel on every change.
   */
  private kernelHoldsState = false;

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
    // Sized for every example the stream can keep at once (a row per kept example).
    this.topSlab = new WindowSlab(o.before + o.after + 1, false, this.units * (o.k + o.extraCandidates));
    this.sampleSlab = new WindowSlab(o.sampleBefore + o.sampleAfter + 1, true, this.units * (o.bins + 2 + o.randomK));
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
    this.observeDeferred(c);
    this.flush();
  }

  /**
   * Observes several contexts (a forward batch), copying the kept examples' windows once at the end: the same
   * result as observing them one by one, with fewer copies. The contexts' arrays must not change until it returns.
   */
  observeContexts(cs: Iterable<ContextActivations>): void {
    for (const c of cs) this.observeDeferred(c);
    this.flush();
  }

  private observeDeferred(c: ContextActivations): void {
    if (UnitStream.hotLoop === 'wasm' && c.unitStride === 1 && c.posStride === this.units) {
      this.observeWithKernel(c);
      return;
    }
    this.syncFromKernel();
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
    // Every unit observes the same tokens with the same keys: one key per position, computed once.
    if (this.keys.length < n) this.keys = new Float64Array(Math.max(n, 2 * this.keys.length));
    const keys = this.keys;
    for (let p = first; p < n; p++) keys[p] = tokenKey(seed, doc, p);
    // Unit by unit, so that a unit's statistics stay in local variables over its positions and its histogram and
    // reservoir rows stay in cache. Each unit sees its values in position order as before, and units share no
    // state, so the result is the same as position by position.
    for (let u = 0; u < units; u++) {
      const loU = lo[u];
      const scaleU = scale[u];
      const row = u * slotsPerUnit;
      let max = -Infinity;
      let argmax = -1;
      let min = Infinity;
      let pos = positive[u];
      let s1 = b1[u];
      let s2 = b2[u];
      let s3 = b3[u];
      let s4 = b4[u];
      let rBar = randomBar[u];
      for (let p = first, i = offset + u * unitStride + first * posStride; p < n; p++, i += posStride) {
        const x = data[i];
        if (x > max) {
          max = x;
          argmax = p;
        }
        if (x < min) min = x;
        if (x > 0) pos++;
        const x2 = x * x;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
        // Histogram slot: one multiply and a truncation inside the range (f ≥ 0 there, so |0 is ⌊f⌋).
        const f = (x - loU) * scaleU;
        const slot = row + (f >= 0 && f < bins ? (f | 0) + 1 : this.histograms.slot(u, x));
        counts[slot]++;
        // Reservoirs: cheap necessary conditions (keys are uint32; a full slot's bar is its largest kept key);
        // only candidates pay for the exact comparison.
        const key = keys[p];
        if (key <= binBar[slot] || key <= rBar) {
          this.offerSample(c, u, p, x, key, slot);
          rBar = randomBar[u];
        }
      }
      positive[u] = pos;
      b1[u] = s1;
      b2[u] = s2;
      b3[u] = s3;
      b4[u] = s4;
      maxVal[u] = max;
      maxPos[u] = argmax;
      minVal[u] = min;
    }
    if (n > first) this.moments.addObserved(n - first, minVal, maxVal);
    this.moments.flushBlock();
    this.offerTop(c, maxVal, maxPos);
  }

  /** observeDeferred's loop in WebAssembly: the same statistics, then the same reservoir and top-k offers. */
  private observeWithKernel(c: ContextActivations): void {
    const n = c.tokens.length;
    const first = c.firstPos ?? 0;
    if (n <= first) return;
    const units = this.units;
    const k = this.kernelIn();
    k.context(n).set(c.data.subarray(c.offset, c.offset + n * units));
    const keys = k.keys;
    for (let p = first; p < n; p++) keys[p] = tokenKey(this.options.seed, c.doc, p);
    const found = k.observe(n, first);
    // The kernel listed every value that passed the bars as they were before this context; offers since then
    // may have lowered them, so the same pre-check runs again before the exact one.
    const cand = k.candidates;
    const slotsPerUnit = this.options.bins + 2;
    for (let j = 0; j < 3 * found; j += 3) {
      const u = cand[j];
      const p = cand[j + 1];
      // Slot −1: a NaN value, in no histogram slot (JavaScript's slot arithmetic gives NaN there too).
      const slot = cand[j + 2] < 0 ? NaN : u * slotsPerUnit + cand[j + 2];
      const key = keys[p];
      if (key <= this.binBar[slot] || key <= this.randomBar[u]) this.offerSample(c, u, p, c.data[c.offset + p * units + u], key, slot);
    }
    const m = this.moments;
    m.b1.set(k.sum(1));
    m.b2.set(k.sum(2));
    m.b3.set(k.sum(3));
    m.b4.set(k.sum(4));
    m.addObserved(n - first, k.minVal, k.maxVal);
    m.flushBlock();
    this.offerTop(c, k.maxVal, k.argMax);
  }

  /** The kernel, holding this stream's counts and bars (copied in when it does not hold them yet). */
  private kernelIn(): ContextKernel {
    const bins = this.options.bins;
    if (!this.kernel) {
      const k = new ContextKernel(this.units, bins);
      k.lo.set(this.histograms.lo);
      k.scale.set(this.histograms.scale);
      this.options.ranges.forEach((r, u) => (k.hi[u] = r.hi));
      this.kernel = k;
    }
    const k = this.kernel;
    if (!this.kernelHoldsState) {
      k.counts.set(this.histograms.counts);
      k.positive.set(this.moments.positive);
      k.binBar.set(this.binBar);
      k.randomBar.set(this.randomBar);
      this.kernelHoldsState = true;
    }
    return k;
  }

  /** Copies the counts the kernel updated back into the histograms and moments. */
  private syncFromKernel(): void {
    if (!this.kernelHoldsState) return;
    this.histograms.counts.set(this.kernel!.counts);
    this.moments.positive.set(this.kernel!.positive);
    this.kernelHoldsState = false;
  }

  /** Top-k: one example per context per unit (its max token), so one long text cannot fill the list. */
  private offerTop(c: ContextActivations, maxVal: ArrayLike<number>, maxPos: ArrayLike<number>): void {
    const probe = this.probe;
    probe.doc = c.doc;
    for (let u = 0; u < this.units; u++) {
      const p = maxPos[u];
      if (p < 0) continue;
      // A full list's bar value is a necessary condition (ties go to the exact comparison).
      if (maxVal[u] < this.topBar[u]) continue;
      probe.value = maxVal[u];
      probe.pos = p;
      if (this.top.wouldAccept(u, probe)) {
        this.accept(this.top, u, this.candidate(c, u, p, maxVal[u], undefined));
        this.topBar[u] = this.top.bar(u)?.value ?? -Infinity;
      }
    }
  }

  /** A value that passed the reservoirs' pre-check: offered to its histogram slot's sample and the random sample. */
  private offerSample(c: ContextActivations, u: number, p: number, x: number, key: number, binSlot: number): void {
    const probe = this.probe;
    probe.doc = c.doc;
    probe.pos = p;
    probe.key = key;
    probe.value = x;
    // key < bar already decides acceptance (a smaller key comes first); only a tie needs the full comparison.
    const binBar = this.binBar[binSlot];
    if (key < binBar || (key === binBar && this.binSamples.wouldAccept(binSlot, probe))) {
      this.accept(this.binSamples, binSlot, this.candidate(c, u, p, x, key));
      this.binBar[binSlot] = this.binSamples.bar(binSlot)?.key ?? Infinity;
      if (this.kernelHoldsState) this.kernel!.binBar[binSlot] = this.binBar[binSlot];
    }
    const randomBar = this.randomBar[u];
    if (key < randomBar || (key === randomBar && this.random.wouldAccept(u, probe))) {
      this.accept(this.random, u, this.candidate(c, u, p, x, key));
      this.randomBar[u] = this.random.bar(u)?.key ?? Infinity;
      if (this.kernelHoldsState) this.kernel!.randomBar[u] = this.randomBar[u];
    }
  }

  /** A candidate without its window (PENDING until the flush); a reused evicted one when there is one. */
  private candidate(c: ContextActivations, u: number, p: number, value: number, key: number | undefined): StreamedExample {
    let e: StreamedExample | undefined;
    if (key === undefined) {
      e = this.freeTop.pop();
      if (e) {
        e.value = value;
        e.doc = c.doc;
        e.pos = p;
      } else e = { value, doc: c.doc, pos: p, windowStart: 0, tokens: PENDING, acts: PENDING, row: -1 };
    } else {
      e = this.freeSamples.pop();
      if (e) {
        e.value = value;
        e.doc = c.doc;
        e.pos = p;
        e.key = key;
      } else e = { value, doc: c.doc, pos: p, key, windowStart: 0, tokens: PENDING, acts: PENDING, row: -1 };
    }
    e.tokens = PENDING;
    e.acts = PENDING;
    e.row = -1;
    this.pendingE.push(e);
    this.pendingC.push(c);
    this.pendingU.push(u);
    return e;
  }

  /**
   * Offers a candidate the caller knows is accepted. A pending candidate it evicts is marked (never copied); one
   * whose window is in the slab gives its row back and is reused as a later candidate (nothing else holds it).
   */
  private accept(best: BoundedBest<UnitExample>, slot: number, e: StreamedExample): void {
    const evicted = best.bar(slot) as StreamedExample | undefined;
    best.offer(slot, e);
    if (evicted === undefined) return;
    if (evicted.tokens === PENDING) evicted.acts = EVICTED;
    else if (evicted.acts === IN_SLAB) {
      const isTop = evicted.key === undefined;
      (isTop ? this.topSlab : this.sampleSlab).release(evicted.row);
      const free = isTop ? this.freeTop : this.freeSamples;
      if (free.length < MAX_FREE) free.push(evicted);
    }
  }

  /** Copies the windows of the candidates still kept into the slabs (top: before/after; samples: sampleBefore/sampleAfter). */
  private flush(): void {
    const o = this.options;
    const { pendingE, pendingC, pendingU } = this;
    // Top windows are long (the whole prefix by default) and many units peak at the same token of a context:
    // such examples share one (never mutated) token array.
    const sharedTokens = new Map<ContextActivations, Map<number, number[]>>();
    for (let j = 0; j < pendingE.length; j++) {
      const e = pendingE[j];
      const isTop = e.key === undefined;
      if (e.acts === EVICTED) {
        const free = isTop ? this.freeTop : this.freeSamples;
        if (free.length < MAX_FREE) free.push(e);
        continue;
      }
      const c = pendingC[j];
      const { start, end } = windowAround(e.pos, c.tokens.length, isTop ? o.before : o.sampleBefore, isTop ? o.after : o.sampleAfter);
      const slab = isTop ? this.topSlab : this.sampleSlab;
      const row = slab.alloc();
      const at = row * slab.width;
      if (isTop) {
        let byWindow = sharedTokens.get(c);
        if (!byWindow) sharedTokens.set(c, (byWindow = new Map()));
        let tokens = byWindow.get(start * 0x100000 + end);
        if (!tokens) {
          tokens = windowTokens(c.tokens, start, end);
          byWindow.set(start * 0x100000 + end, tokens);
        }
        e.tokens = tokens;
      } else {
        const slabTokens = slab.tokens;
        for (let i = start; i < end; i++) slabTokens[at + i - start] = c.tokens[i];
        e.tokens = IN_SLAB;
      }
      const acts = slab.acts;
      const { data, posStride } = c;
      for (let i = start, k = c.offset + pendingU[j] * c.unitStride + start * posStride; i < end; i++, k += posStride) acts[at + i - start] = data[k];
      slab.lengths[row] = end - start;
      e.windowStart = start;
      e.acts = IN_SLAB;
      e.row = row;
    }
    pendingE.length = 0;
    pendingC.length = 0;
    pendingU.length = 0;
  }

  /**
   * Turns every kept example into a plain one (its window as arrays, no slab row) and empties the slabs: before
   * the examples leave the stream (toJSON, summary, merge). Streaming may go on afterwards.
   */
  private materialize(): void {
    this.syncFromKernel();
    if (this.topSlab.used === 0 && this.sampleSlab.used === 0) return;
    const plain = (slab: WindowSlab) => (item: UnitExample): UnitExample => {
      const e = item as StreamedExample;
      if (e.acts !== IN_SLAB) return item;
      const out: UnitExample = { value: e.value, doc: e.doc, pos: e.pos, windowStart: e.windowStart, tokens: e.tokens === IN_SLAB ? slab.tokensOf(e.row) : e.tokens, acts: slab.actsOf(e.row) };
      if (e.key !== undefined) out.key = e.key;
      slab.release(e.row);
      return out;
    };
    this.top.replaceEach(plain(this.topSlab));
    this.binSamples.replaceEach(plain(this.sampleSlab));
    this.random.replaceEach(plain(this.sampleSlab));
    // Evicted objects in the free lists are reused as candidates only; they were never handed out.
  }

  /** Adds b into a (same options); exact. Returns a. */
  static merge(a: UnitStream, b: UnitStream): UnitStream {
    assertSameOptions(a.options, b.options);
    a.materialize();
    b.materialize();
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
    this.materialize();
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
    this.materialize();
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

function windowTokens(tokens: ArrayLike<number>, start: number, end: number): number[] {
  const out: number[] = new Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = tokens[i];
  return out;
}

function assertSameOptions(a: Required<UnitStreamOptions>, b: Required<UnitStreamOptions>): void {
  const { ranges: ra, ...restA } = a;
  const { ranges: rb, ...restB } = b;
  if (JSON.stringify(restA) !== JSON.stringify(restB) || JSON.stringify(ra) !== JSON.stringify(rb)) {
    throw new Error('UnitStream.merge: shards were streamed with different options (ranges, k, seed, windows); they cannot merge');
  }
}
