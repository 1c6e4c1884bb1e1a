/**
 * Everything headwiki streams per unit (a neuron, a head, a random direction) over a corpus, in one object:
 * moments, a fixed-edge histogram, top-k examples, quantile samples (a keyed reservoir per histogram bin)
 * and random samples (a keyed reservoir). Memory: units × (k + bins + randomK) examples, independent of
 * the corpus' length. `UnitStream.merge(a, b)` is exact (see each part), provided shards hold whole contexts,
 * share the options (ranges, seed) and number contexts globally.
 */
import type { BoundedBestJSON } from './bounded-best';
import { ExampleTable, type ExampleTableJSON } from './example-table';
import { tokenKey, windowAround, type UnitExample } from './example';
import { UnitHistograms, type HistogramRange, type UnitHistogramsJSON } from './histogram';
import { UnitMoments, type MomentStats, type UnitMomentsJSON } from './moments';
import { diverseExamples } from './diverse';
import { ContextKernel } from './context-kernel';
import { firstPositionOf } from '@/lib/engine/reductions';
import { WindowCopies } from './window-copies';

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
  /**
   * The histogram and its quantile samples take the positions whose sampling key (tokenKey: document, position) is
   * below 2^32 / sampleEvery: every token with 1 (the default), about one in `sampleEvery` otherwise — a keyed subsample,
   * the same whatever the shard split. Only `observeReducedContext` samples; moments, top and random examples always
   * see every token.
   */
  sampleEvery?: number;
}

/**
 * One context's in-graph reductions (lib/engine/reductions.ts) over positions [firstPos, n): row `row` of a batch's
 * [batch, units] max / min and [batch, 5, units] sums (Σx, Σx², Σx³, Σx⁴, #x > 0).
 */
export interface ContextReductions {
  max: Float32Array;
  min: Float32Array;
  sums: Float32Array;
  row: number;
  /** [batch, units]: the first position of each max (PositionReducer); without it, found in the activations. */
  argMax?: Int32Array;
  /**
   * The same context unit-major (PositionReducer's `transposed`, asked for when `prefersUnitMajor`): example windows
   * are copied from it as contiguous runs.
   */
  windows?: Pick<ContextActivations, 'data' | 'offset' | 'posStride' | 'unitStride'>;
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

/** An activation the statistics cannot hold: the model produced NaN or ±Infinity. */
export class NonFiniteActivationError extends Error {
  override name = 'NonFiniteActivationError';
  constructor(
    readonly unit: number,
    readonly doc: number,
  ) {
    super(`unit ${unit} has a non-finite activation (NaN or ±Infinity, or a value whose 4th power overflows) in context ${doc}`);
  }
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
  top: ExampleTableJSON;
  binSamples: ExampleTableJSON;
  random: ExampleTableJSON;
}

/** A stream's state with its examples as plain objects (BoundedBest's JSON): for reading and comparing. */
export type UnitStreamPlainJSON = Omit<UnitStreamJSON, 'top' | 'binSamples' | 'random'> & {
  top: BoundedBestJSON<UnitExample>;
  binSamples: BoundedBestJSON<UnitExample>;
  random: BoundedBestJSON<UnitExample>;
};

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
    sampleEvery: o.sampleEvery ?? 1,
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
  /** Per unit, the k + extraCandidates largest context maxima (one example per context). */
  readonly top: ExampleTable;
  /** Slot u·(bins+2)+s: one random token of unit u's histogram slot s. */
  readonly binSamples: ExampleTable;
  readonly random: ExampleTable;
  private readonly maxVal: Float64Array;
  private readonly maxPos: Int32Array;
  private readonly minVal: Float64Array;
  /** Per reservoir slot, the largest key it keeps when full (Infinity while not full): a fast pre-check. */
  private readonly binBar: Float64Array;
  private readonly randomBar: Float64Array;
  /** Per unit, the smallest kept top value when full (-Infinity while not full). */
  private readonly topBar: Float64Array;
  /** Sampling keys of the current context's positions (scratch). */
  private keys = new Float64Array(0);
  /** A copy of the current context's tokens, shared by the top examples it gives (made when one is kept). */
  private tokensOf: ContextActivations | undefined;
  private tokensCopy: number[] = [];
  /** The WebAssembly hot loop, made at the first context it can observe. */
  private kernel: ContextKernel | undefined;
  /**
   * True while the kernel counts for this stream: histogram counts since then, the positive counts and the exact
   * sums Σx..Σx⁴ since then are in its memory, and `syncFromKernel` adds them back before anything else reads or
   * writes them. The reservoir bars stay authoritative here and are mirrored into the kernel on every change.
   */
  private kernelHoldsState = false;
  /** Values per unit the kernel counted since it started (its counts are 32-bit: synced before 2^31). */
  private kernelValues = 0;
  /** Where the current context's windows are copied from (the kernel's unit-major copy, or the context). */
  private windows: Pick<ContextActivations, 'data' | 'offset' | 'posStride' | 'unitStride'> | undefined;
  /** Windows copied so far, and whether the last context needed many (then the next one is transposed). */
  private windowsCopied = 0;
  private manyWindows = true;
  /** The reduced path's positions to look at in the current context, and their keys (scratch). */
  private keyedPos = new Int32Array(0);
  private keyedKey = new Float64Array(0);
  /** The reduced path's pending window copies (scratch). */
  private readonly copies = new WindowCopies();

  constructor(options: UnitStreamOptions, parts?: Pick<UnitStream, 'moments' | 'histograms' | 'top' | 'binSamples' | 'random'>) {
    this.options = withDefaults(options);
    const o = this.options;
    this.units = o.ranges.length;
    this.moments = parts?.moments ?? new UnitMoments(this.units);
    this.histograms = parts?.histograms ?? new UnitHistograms(o.ranges, o.bins);
    const [topWidth, sampleWidth] = windowWidths(o);
    this.top = parts?.top ?? new ExampleTable(this.units, o.k + o.extraCandidates, 'value', topWidth, false);
    this.binSamples = parts?.binSamples ?? new ExampleTable(this.units * (o.bins + 2), 1, 'key', sampleWidth, true);
    this.random = parts?.random ?? new ExampleTable(this.units, o.randomK, 'key', sampleWidth, true);
    this.maxVal = new Float64Array(this.units);
    this.maxPos = new Int32Array(this.units);
    this.minVal = new Float64Array(this.units);
    this.binBar = new Float64Array(this.units * (o.bins + 2));
    this.randomBar = new Float64Array(this.units);
    this.topBar = new Float64Array(this.units);
    this.refreshBars();
  }

  /**
   * Observes every unit on every position of one context. Contexts are the blocks of exact merging.
   *
   * The hot loop of a corpus scan: one pass over the activations with every statistic updated for each value
   * (moments, histogram slot, the context's max and min, the reservoirs' pre-checks), in WebAssembly where the
   * layout allows (ContextKernel) and in JavaScript otherwise, bit for bit the same (context-kernel.test.ts); only
   * the rare candidates reach the example tables. The result is exactly that of observing the parts one by one
   * (streaming.test.ts checks it).
   */
  observeContext(c: ContextActivations): void {
    if (UnitStream.hotLoop === 'wasm' && c.unitStride === 1 && c.posStride === this.units) {
      this.observeWithKernel(c);
      return;
    }
    this.observeWithJavaScript(c);
  }

  /** Observes several contexts (a forward batch), one by one. The contexts' arrays must not change until it returns. */
  observeContexts(cs: Iterable<ContextActivations>): void {
    for (const c of cs) this.observeContext(c);
  }

  private observeWithJavaScript(c: ContextActivations): void {
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
    this.assertFinite(c, b1, b4);
    this.moments.flushBlock();
    this.offerTop(c, maxVal, maxPos);
  }

  /**
   * Observes one context from its in-graph reductions (max and its position, min, Σx..Σx⁴, positive counts over
   * positions [firstPos, n)) instead of from every value: moments, density and top examples come from `r`; the
   * activations in `c` are read only for example windows, for the keyed subsample of positions the histogram and its
   * quantile samples take (`sampleEvery`), and for the positions whose key can enter the random sample. Host work is
   * per context and unit, plus per sampled value. Exact merges as for observeContext (the sums are per context).
   */
  observeReducedContext(c: ContextActivations, r: ContextReductions): void {
    const n = c.tokens.length;
    const first = c.firstPos ?? 0;
    if (n <= first) return;
    this.syncFromKernel();
    const units = this.units;
    const at = r.row * units;
    const sums = r.row * 5 * units;
    const m = this.moments;
    for (let u = 0; u < units; u++) {
      if (!Number.isFinite(r.sums[sums + u]) || !Number.isFinite(r.sums[sums + 3 * units + u]))
        throw new NonFiniteActivationError(u, c.doc);
      m.positive[u] += r.sums[sums + 4 * units + u];
    }
    // The context's sums, exactly (running totals; see addContextSums), not through the block partials b1..b4.
    m.addContextSums(r.sums, sums);
    const maxVal = r.max.subarray(at, at + units);
    m.addObserved(n - first, r.min.subarray(at, at + units), maxVal);
    // Offers first, windows after (WindowCopies): a unit whose max beats its bar is offered; accepted entries' windows
    // are copied in one sweep over the context's positions, reading each position's row once.
    const copies = this.copies.begin(c, r.windows);
    const o = this.options;
    for (let u = 0; u < units; u++) {
      const value = maxVal[u];
      // A full list's bar value is a necessary condition (ties go to the exact comparison).
      if (value < this.topBar[u]) continue;
      const p = r.argMax ? r.argMax[at + u] : firstPositionOf(value, c.data, c.offset + u * c.unitStride, c.posStride, first, n);
      if (p < 0) continue;
      const e = this.top.offer(u, value, 0, c.doc, p);
      if (e < 0) continue;
      this.topBar[u] = this.barValue(this.top, u);
      copies.add(this.top, e, u, p, o.before, o.after);
      this.shareTokens(this.top, e, c, Math.max(0, p - o.before));
    }
    const topCopies = copies.copy();
    const sampleCopies = this.observeKeyedPositions(c, first, copies);
    this.manyWindows = topCopies + sampleCopies > units / 8;
  }

  /**
   * Whether the next context's windows are better copied from a unit-major copy (`ContextReductions.windows`): the
   * last context had many (early in a scan most units keep an example of every context).
   */
  get prefersUnitMajor(): boolean {
    return this.manyWindows;
  }

  /**
   * The histogram and samples of observeReducedContext: only positions whose key is sampled or can enter the random
   * sample; the accepted samples' windows are copied afterwards, position by position (`copies`).
   */
  private observeKeyedPositions(c: ContextActivations, first: number, copies: WindowCopies): number {
    const { data, offset, posStride, unitStride, doc } = c;
    const o = this.options;
    const units = this.units;
    const bins = o.bins;
    const slotsPerUnit = bins + 2;
    const sampledBelow = Math.floor(2 ** 32 / o.sampleEvery);
    const { lo, scale, counts } = this.histograms;
    const { binBar, randomBar } = this;
    let randomMax = -Infinity;
    for (let u = 0; u < units; u++) if (randomBar[u] > randomMax) randomMax = randomBar[u];
    // The context's positions that any unit will look at: keys are shared by every unit, so they are listed once.
    const n = c.tokens.length;
    if (this.keyedPos.length < n) {
      this.keyedPos = new Int32Array(2 * n);
      this.keyedKey = new Float64Array(2 * n);
    }
    const { keyedPos, keyedKey } = this;
    let m = 0;
    for (let p = first; p < n; p++) {
      const key = tokenKey(o.seed, doc, p);
      if (key >= sampledBelow && key > randomMax) continue;
      keyedPos[m] = p;
      keyedKey[m++] = key;
    }
    if (m === 0) return 0;
    const before = o.sampleBefore;
    const after = o.sampleAfter;
    // Unit by unit: a unit's histogram row and bars stay in cache over its positions, and the few listed positions'
    // rows of the context stay in cache over the units.
    for (let u = 0; u < units; u++) {
      const loU = lo[u];
      const scaleU = scale[u];
      const row = u * slotsPerUnit;
      let rBar = randomBar[u];
      const base = offset + u * unitStride;
      for (let j = 0; j < m; j++) {
        const p = keyedPos[j];
        const key = keyedKey[j];
        const x = data[base + p * posStride];
        if (key < sampledBelow) {
          const f = (x - loU) * scaleU;
          const slot = row + (f >= 0 && f < bins ? (f | 0) + 1 : this.histograms.slot(u, x));
          counts[slot]++;
          // key < bar decides acceptance (a smaller key comes first); only a tie needs the full comparison.
          if (key <= binBar[slot]) {
            const e = this.binSamples.offer(slot, x, key, doc, p);
            if (e >= 0) {
              binBar[slot] = this.barKey(this.binSamples, slot);
              copies.add(this.binSamples, e, u, p, before, after);
            }
          }
        }
        if (key <= rBar) {
          const e = this.random.offer(u, x, key, doc, p);
          if (e >= 0) {
            rBar = randomBar[u] = this.barKey(this.random, u);
            copies.add(this.random, e, u, p, before, after);
          }
        }
      }
    }
    // A sample may have been replaced by a later one of the same context: only entries still holding their position copy.
    return copies.copy();
  }

  /** Top entry e's tokens: the context's, one copy shared by every unit that keeps an example from it. */
  private shareTokens(table: ExampleTable, e: number, c: ContextActivations, start: number): void {
    if (this.tokensOf !== c) {
      this.tokensOf = c;
      this.tokensCopy = Array.from(c.tokens);
    }
    table.tokenSource[e] = this.tokensCopy;
    table.tokenOffset[e] = start;
  }

  /** observeWithJavaScript's loop in WebAssembly: the same statistics, then the same reservoir and top-k offers. */
  private observeWithKernel(c: ContextActivations): void {
    const n = c.tokens.length;
    const first = c.firstPos ?? 0;
    if (n <= first) return;
    const units = this.units;
    const k = this.kernelIn();
    k.context(n).set(c.data.subarray(c.offset, c.offset + n * units));
    const keys = k.keys;
    for (let p = first; p < n; p++) keys[p] = tokenKey(this.options.seed, c.doc, p);
    // Early in a scan most units keep examples from every context, and copying their windows column by column
    // from the position-major context is slow for wide layers (a cache line and a page per value): then the
    // kernel also writes the context unit-major and windows are copied as rows.
    const transpose = this.manyWindows;
    const found = k.observe(n, first, transpose);
    this.windows = transpose ? { data: k.transposed, offset: 0, posStride: 1, unitStride: n } : c;
    const keptBefore = this.windowsCopied;
    // The kernel listed every value that passed the bars as they were before this context; offers since then
    // may have lowered them, so the same pre-check runs again before the exact one.
    const cand = k.candidates;
    const slotsPerUnit = this.options.bins + 2;
    for (let j = 0; j < 3 * found; j += 3) {
      const u = cand[j];
      const p = cand[j + 1];
      const s = cand[j + 2];
      const key = keys[p];
      if (s < 0) {
        // A NaN value: in no histogram slot (JavaScript's slot arithmetic gives NaN there too), maybe a random sample.
        if (key <= this.randomBar[u]) this.offerSample(c, u, p, c.data[c.offset + p * units + u], key, NaN);
        continue;
      }
      const slot = u * slotsPerUnit + s;
      if (key <= this.binBar[slot] || key <= this.randomBar[u]) this.offerSample(c, u, p, c.data[c.offset + p * units + u], key, slot);
    }
    this.assertFinite(c, k.sum(1), k.sum(4));
    // The context's sums go exactly into the kernel's own exact sums (added to the moments' at syncFromKernel).
    k.addSums();
    this.moments.addObserved(n - first, k.minVal, k.maxVal);
    this.offerTop(c, k.maxVal, k.argMax);
    this.windows = undefined;
    this.manyWindows = this.windowsCopied - keptBefore > units / 8;
    this.kernelValues += n - first;
    if (this.kernelValues > 2 ** 31) this.syncFromKernel();
  }

  /** A context's sums are finite unless one of its activations is NaN or ±Infinity: say so, not that a sum is. */
  private assertFinite(c: ContextActivations, b1: ArrayLike<number>, b4: ArrayLike<number>): void {
    for (let u = 0; u < this.units; u++) {
      if (!Number.isFinite(b1[u]) || !Number.isFinite(b4[u])) {
        throw new NonFiniteActivationError(u, c.doc);
      }
    }
  }

  /** The kernel, counting for this stream (its counts and bars loaded when it is not counting yet). */
  private kernelIn(): ContextKernel {
    if (!this.kernel) {
      const k = new ContextKernel(this.units, this.options.bins);
      k.lo.set(this.histograms.lo);
      k.scale.set(this.histograms.scale);
      this.options.ranges.forEach((r, u) => (k.hi[u] = r.hi));
      this.kernel = k;
    }
    const k = this.kernel;
    if (!this.kernelHoldsState) {
      k.startCounting(this.binBar);
      k.positive.set(this.moments.positive);
      k.randomBar.set(this.randomBar);
      this.kernelHoldsState = true;
      this.kernelValues = 0;
    }
    return k;
  }

  /** Adds the counts and sums the kernel kept into the histograms and moments; the kernel stops counting for now. */
  private syncFromKernel(): void {
    if (!this.kernelHoldsState) return;
    this.kernel!.addCountsTo(this.histograms.counts);
    this.kernel!.addExactSumsTo(this.moments.sums);
    this.moments.positive.set(this.kernel!.positive);
    this.kernelHoldsState = false;
  }

  /** Top-k: one example per context per unit (its max token), so one long text cannot fill the list. */
  private offerTop(c: ContextActivations, maxVal: ArrayLike<number>, maxPos: ArrayLike<number>): void {
    const o = this.options;
    for (let u = 0; u < this.units; u++) {
      const p = maxPos[u];
      // A full list's bar value is a necessary condition (ties go to the exact comparison).
      if (p < 0 || maxVal[u] < this.topBar[u]) continue;
      const e = this.top.offer(u, maxVal[u], 0, c.doc, p);
      if (e >= 0) {
        this.copyWindow(this.top, e, c, u, p, o.before, o.after);
        this.topBar[u] = this.barValue(this.top, u);
      }
    }
  }

  /** A value that passed the reservoirs' pre-check: offered to its histogram slot's sample and the random sample. */
  private offerSample(c: ContextActivations, u: number, p: number, x: number, key: number, binSlot: number): void {
    // key < bar already decides acceptance (a smaller key comes first); only a tie needs the full comparison.
    // binSlot −1: a position outside the histogram's subsample (observeReducedContext), offered to the random sample only.
    const binBar = binSlot >= 0 ? this.binBar[binSlot] : -1;
    if (key < binBar || key === binBar) {
      const e = this.binSamples.offer(binSlot, x, key, c.doc, p);
      if (e >= 0) {
        this.copyWindow(this.binSamples, e, c, u, p, this.options.sampleBefore, this.options.sampleAfter);
        this.binBar[binSlot] = this.barKey(this.binSamples, binSlot);
        if (this.kernelHoldsState) this.kernel!.setBinBar(binSlot, this.binBar[binSlot]);
      }
    }
    const randomBar = this.randomBar[u];
    if (key < randomBar || key === randomBar) {
      const e = this.random.offer(u, x, key, c.doc, p);
      if (e >= 0) {
        this.copyWindow(this.random, e, c, u, p, this.options.sampleBefore, this.options.sampleAfter);
        this.randomBar[u] = this.barKey(this.random, u);
        if (this.kernelHoldsState) this.kernel!.randomBar[u] = this.randomBar[u];
      }
    }
  }

  /** Writes the window around position p of context c (unit u) into entry e of a table. */
  private copyWindow(table: ExampleTable, e: number, c: ContextActivations, u: number, p: number, before: number, after: number): void {
    const { start, end } = windowAround(p, c.tokens.length, before, after);
    const row = e * table.width;
    const acts = table.acts;
    const { data, offset, posStride, unitStride } = this.windows ?? c;
    for (let i = start, k = offset + u * unitStride + start * posStride; i < end; i++, k += posStride) acts[row + i - start] = data[k];
    this.windowsCopied++;
    table.windowStart[e] = start;
    table.windowLength[e] = end - start;
    if (table.ownTokens) {
      const tokens = table.tokens;
      for (let i = start; i < end; i++) tokens[row + i - start] = c.tokens[i];
    } else {
      // Top windows are long (the whole prefix by default) and many units peak in the same context: they share
      // one copy of its tokens.
      if (this.tokensOf !== c) {
        this.tokensOf = c;
        this.tokensCopy = Array.from(c.tokens);
      }
      table.tokenSource[e] = this.tokensCopy;
      table.tokenOffset[e] = start;
    }
  }

  private barKey(table: ExampleTable, slot: number): number {
    const e = table.barEntry(slot);
    return e < 0 ? Infinity : table.key[e];
  }

  private barValue(table: ExampleTable, slot: number): number {
    const e = table.barEntry(slot);
    return e < 0 ? -Infinity : table.value[e];
  }

  /** Adds b into a (same options); exact. Returns a. */
  static merge(a: UnitStream, b: UnitStream): UnitStream {
    assertSameOptions(a.options, b.options);
    a.syncFromKernel();
    b.syncFromKernel();
    UnitMoments.merge(a.moments, b.moments);
    UnitHistograms.merge(a.histograms, b.histograms);
    ExampleTable.merge(a.top, b.top);
    ExampleTable.merge(a.binSamples, b.binSamples);
    ExampleTable.merge(a.random, b.random);
    a.refreshBars();
    return a;
  }

  private refreshBars(): void {
    for (let s = 0; s < this.binBar.length; s++) this.binBar[s] = this.barKey(this.binSamples, s);
    for (let u = 0; u < this.units; u++) {
      this.randomBar[u] = this.barKey(this.random, u);
      this.topBar[u] = this.barValue(this.top, u);
    }
  }

  summary(u: number, quantiles: readonly number[] = DEFAULT_QUANTILES): UnitSummary {
    this.syncFromKernel();
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
    this.syncFromKernel();
    return {
      options: this.options,
      moments: this.moments.toJSON(),
      histograms: this.histograms.toJSON(),
      top: this.top.toJSON(),
      binSamples: this.binSamples.toJSON(),
      random: this.random.toJSON(),
    };
  }

  /** The state with plain example objects (the compact toJSON's examples, read back). */
  toPlainJSON(): UnitStreamPlainJSON {
    return { ...this.toJSON(), top: this.top.toPlainJSON(), binSamples: this.binSamples.toPlainJSON(), random: this.random.toPlainJSON() };
  }

  /** A stream as it is, or restored from its state (e.g. after a trip through the job queue). */
  static from(x: UnitStream | UnitStreamJSON): UnitStream {
    return x instanceof UnitStream ? x : UnitStream.fromJSON(x);
  }

  static fromJSON(j: UnitStreamJSON): UnitStream {
    const o = withDefaults(j.options);
    const [topWidth, sampleWidth] = windowWidths(o);
    const table = (t: ExampleTableJSON, slots: number, k: number, order: 'value' | 'key', width: number, what: string) => {
      if (t.slots !== slots || t.k !== k || t.order !== order || t.width !== width)
        throw new Error(
          `UnitStream.fromJSON: ${what} has shape ${t.slots}×${t.k} (${t.order}, width ${t.width}); the options say ${slots}×${k} (${order}, width ${width})`,
        );
      return ExampleTable.fromJSON(t);
    };
    const units = o.ranges.length;
    return new UnitStream(j.options, {
      moments: UnitMoments.fromJSON(j.moments),
      histograms: UnitHistograms.fromJSON(j.histograms),
      top: table(j.top, units, o.k + o.extraCandidates, 'value', topWidth, 'top'),
      binSamples: table(j.binSamples, units * (o.bins + 2), 1, 'key', sampleWidth, 'binSamples'),
      random: table(j.random, units, o.randomK, 'key', sampleWidth, 'random'),
    });
  }
}

/** Longest windows of top examples and of samples. */
function windowWidths(o: Required<UnitStreamOptions>): [number, number] {
  return [o.before + o.after + 1, o.sampleBefore + o.sampleAfter + 1];
}

function assertSameOptions(a: Required<UnitStreamOptions>, b: Required<UnitStreamOptions>): void {
  const { ranges: ra, ...restA } = a;
  const { ranges: rb, ...restB } = b;
  if (JSON.stringify(restA) !== JSON.stringify(restB) || JSON.stringify(ra) !== JSON.stringify(rb)) {
    throw new Error('UnitStream.merge: shards were streamed with different options (ranges, k, seed, windows); they cannot merge');
  }
}
