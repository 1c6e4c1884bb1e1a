/**
 * BoundedBest for the examples of a streaming scan, in typed arrays: per slot (a unit, or a unit × histogram
 * bin) the k best examples under a total order — top-k by value (`byValueDesc`) or a keyed random sample
 * (`byKeyAsc`) — each with its token window and the unit's activation on every token of the window.
 *
 * Why not BoundedBest<UnitExample>: a scan offers units × k × (1 + ln(contexts / k)) examples (every one is kept
 * until the lists fill, then ever fewer). As objects with array windows they were most of the scan's allocations,
 * comparator calls and collector time. Here each of the slots × k entries owns a fixed row for its window: an
 * accepted example overwrites the row of the one it evicts, and nothing is allocated while streaming.
 *
 * Semantics are BoundedBest's (the kept set is the k best of everything offered, whatever the order), so shards
 * merge exactly; `toPlainJSON` gives BoundedBest's JSON.
 */
import type { BoundedBestJSON } from './bounded-best';
import type { UnitExample } from './example';

export type ExampleOrder = 'value' | 'key';

/**
 * A table's state as plain data: its own typed arrays (not copies: take it when the stream is done), which
 * lib/queue/result-codec stages as base64 bit for bit. Top examples' shared token copies are listed once each.
 */
export interface ExampleTableJSON {
  slots: number;
  k: number;
  order: ExampleOrder;
  width: number;
  size: Int32Array;
  heap: Int32Array;
  value: Float64Array;
  key: Float64Array;
  doc: Float64Array;
  pos: Int32Array;
  windowStart: Int32Array;
  windowLength: Int32Array;
  acts: Float32Array;
  /** ownTokens: token rows (like acts); otherwise `sources[sourceOf[e]]` from `tokenOffset[e]`. */
  tokens?: Int32Array;
  sources?: number[][];
  sourceOf?: Int32Array;
  tokenOffset?: Int32Array;
}

function copyInto<T extends Float64Array | Float32Array | Int32Array>(into: T, from: ArrayLike<number> | undefined, what: string): void {
  if (!from || from.length !== into.length)
    throw new Error(`ExampleTable.fromJSON: ${what} has ${from?.length ?? 'no'} values; expected ${into.length}`);
  into.set(from);
}

export class ExampleTable {
  /**
   * Entry i of a slot is e = i · slots + slot: while the lists fill, every unit takes entry i from the same context,
   * and those windows are written side by side rather than a page apart.
   */
  readonly value: Float64Array;
  readonly key: Float64Array;
  readonly doc: Float64Array;
  readonly pos: Int32Array;
  readonly windowStart: Int32Array;
  readonly windowLength: Int32Array;
  /** Row e: the activations of entry e's window. */
  readonly acts: Float32Array;
  /**
   * Token windows: in `tokens` (row e) when `ownTokens`; otherwise entry e's window is tokenSource[e] from
   * tokenOffset[e] (top examples of one context share one copy of its tokens).
   */
  readonly tokens: Int32Array;
  readonly tokenSource: (readonly number[] | undefined)[];
  readonly tokenOffset: Int32Array;
  /** Per slot: entries in use, and a heap of their indices (i < k) with the worst kept entry at the root. */
  private readonly size: Int32Array;
  private readonly heap: Int32Array;
  /**
   * The order's first criterion (value or key) of entry i of a slot at slot · k + i: a slot's heap compares within a
   * few cache lines here, not one line of `value`/`key` per entry (entries of a slot are `slots` apart). Derived state.
   */
  private readonly primary: Float64Array;

  constructor(
    readonly slots: number,
    readonly k: number,
    readonly order: ExampleOrder,
    /** Longest window (tokens). */
    readonly width: number,
    readonly ownTokens: boolean,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`ExampleTable: k must be a positive integer, got ${k}`);
    const entries = slots * k;
    this.value = new Float64Array(entries);
    this.key = new Float64Array(entries);
    this.doc = new Float64Array(entries);
    this.pos = new Int32Array(entries);
    this.windowStart = new Int32Array(entries);
    this.windowLength = new Int32Array(entries);
    this.acts = new Float32Array(entries * width);
    this.tokens = new Int32Array(ownTokens ? entries * width : 0);
    this.tokenSource = ownTokens ? [] : new Array(entries).fill(undefined);
    this.tokenOffset = new Int32Array(ownTokens ? 0 : entries);
    this.size = new Int32Array(slots);
    this.heap = new Int32Array(entries);
    this.primary = new Float64Array(entries);
  }

  /** Whether entry a comes before entry b (a is better). */
  private before(a: number, b: number): boolean {
    return this.beats(this.value[a], this.key[a], this.doc[a], this.pos[a], b);
  }

  /** Whether an example (value, key, doc, pos) comes before entry e under the table's total order. */
  beats(value: number, key: number, doc: number, pos: number, e: number): boolean {
    if (this.order === 'value') {
      if (value !== this.value[e]) return value > this.value[e];
    } else if (key !== this.key[e]) return key < this.key[e];
    if (doc !== this.doc[e]) return doc < this.doc[e];
    return pos < this.pos[e];
  }

  /** The worst kept entry of a full slot (the bar a newcomer must beat), or −1 while not full. */
  barEntry(slot: number): number {
    return this.size[slot] < this.k ? -1 : this.heap[slot * this.k] * this.slots + slot;
  }

  /**
   * Offers an example; returns the entry it now occupies (the caller writes its window there: `windowStart`,
   * `windowLength`, the row of `acts`, its tokens), or −1 when it is not kept.
   */
  offer(slot: number, value: number, key: number, doc: number, pos: number): number {
    const base = slot * this.k;
    const n = this.size[slot];
    let e: number;
    if (n < this.k) {
      e = n * this.slots + slot;
      this.heap[base + n] = n;
      this.size[slot] = n + 1;
      this.set(e, value, key, doc, pos);
      this.siftUp(slot, n);
    } else {
      e = this.heap[base] * this.slots + slot;
      if (!this.beats(value, key, doc, pos, e)) return -1;
      this.set(e, value, key, doc, pos);
      this.siftDown(slot, 0, n);
    }
    return e;
  }

  /** Entry e as a plain example. */
  example(e: number): UnitExample {
    const start = e * this.width;
    const length = this.windowLength[e];
    const acts: number[] = new Array(length);
    const tokens: number[] = new Array(length);
    for (let i = 0; i < length; i++) acts[i] = this.acts[start + i];
    if (this.ownTokens) for (let i = 0; i < length; i++) tokens[i] = this.tokens[start + i];
    else {
      const source = this.tokenSource[e]!;
      const offset = this.tokenOffset[e];
      for (let i = 0; i < length; i++) tokens[i] = source[offset + i];
    }
    const out: UnitExample = { value: this.value[e], doc: this.doc[e], pos: this.pos[e], windowStart: this.windowStart[e], tokens, acts };
    if (this.order === 'key') out.key = this.key[e];
    return out;
  }

  /** A slot's examples, best first. */
  sorted(slot: number): UnitExample[] {
    const entries = Array.from({ length: this.size[slot] }, (_, i) => i * this.slots + slot);
    entries.sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
    return entries.map((e) => this.example(e));
  }

  /** Offers a plain example (from JSON or another table) with its window. */
  offerExample(slot: number, x: UnitExample): void {
    if (x.acts.length > this.width || x.tokens.length !== x.acts.length)
      throw new Error(`ExampleTable: an example's window has ${x.acts.length} values; this table keeps ${this.width}`);
    const e = this.offer(slot, x.value, x.key ?? 0, x.doc, x.pos);
    if (e < 0) return;
    this.windowStart[e] = x.windowStart;
    this.windowLength[e] = x.acts.length;
    this.acts.set(x.acts, e * this.width);
    if (this.ownTokens) this.tokens.set(x.tokens, e * this.width);
    else {
      this.tokenSource[e] = x.tokens;
      this.tokenOffset[e] = 0;
    }
  }

  /** Adds b's examples into a (same shape); exact, as BoundedBest.merge. Returns a. */
  static merge(a: ExampleTable, b: ExampleTable): ExampleTable {
    if (a.slots !== b.slots || a.k !== b.k || a.order !== b.order)
      throw new Error(`ExampleTable.merge: shapes differ (${a.slots}×${a.k} vs ${b.slots}×${b.k})`);
    for (let s = 0; s < b.slots; s++) for (const x of b.sorted(s)) a.offerExample(s, x);
    return a;
  }

  /** The table's state (see ExampleTableJSON); `fromJSON` restores exactly this table. */
  toJSON(): ExampleTableJSON {
    const j: ExampleTableJSON = {
      slots: this.slots,
      k: this.k,
      order: this.order,
      width: this.width,
      size: this.size,
      heap: this.heap,
      value: this.value,
      key: this.key,
      doc: this.doc,
      pos: this.pos,
      windowStart: this.windowStart,
      windowLength: this.windowLength,
      acts: this.acts,
    };
    if (this.ownTokens) j.tokens = this.tokens;
    else {
      const index = new Map<readonly number[], number>();
      const sourceOf = new Int32Array(this.tokenSource.length).fill(-1);
      this.tokenSource.forEach((source, e) => {
        if (!source) return;
        let i = index.get(source);
        if (i === undefined) index.set(source, (i = index.size));
        sourceOf[e] = i;
      });
      j.sources = [...index.keys()].map((a) => [...a]);
      j.sourceOf = sourceOf;
      j.tokenOffset = this.tokenOffset;
    }
    return j;
  }

  static fromJSON(j: ExampleTableJSON): ExampleTable {
    const t = new ExampleTable(j.slots, j.k, j.order, j.width, j.tokens !== undefined);
    copyInto(t.size, j.size, 'size');
    copyInto(t.heap, j.heap, 'heap');
    copyInto(t.value, j.value, 'value');
    copyInto(t.key, j.key, 'key');
    copyInto(t.doc, j.doc, 'doc');
    copyInto(t.pos, j.pos, 'pos');
    copyInto(t.windowStart, j.windowStart, 'windowStart');
    copyInto(t.windowLength, j.windowLength, 'windowLength');
    copyInto(t.acts, j.acts, 'acts');
    if (j.tokens !== undefined) copyInto(t.tokens, j.tokens, 'tokens');
    else {
      const sourceOf = new Int32Array(t.tokenSource.length);
      copyInto(sourceOf, j.sourceOf, 'sourceOf');
      copyInto(t.tokenOffset, j.tokenOffset, 'tokenOffset');
      const sources = j.sources ?? [];
      sourceOf.forEach((i, e) => (t.tokenSource[e] = i < 0 ? undefined : sources[i]));
    }
    for (let s = 0; s < t.slots; s++)
      if (!(t.size[s] >= 0 && t.size[s] <= t.k))
        throw new Error(`ExampleTable.fromJSON: slot ${s} holds ${t.size[s]} examples; k is ${t.k}`);
    const first = t.order === 'value' ? t.value : t.key;
    for (let e = 0; e < first.length; e++) {
      const slot = e % t.slots;
      t.primary[slot * t.k + (e - slot) / t.slots] = first[e];
    }
    return t;
  }

  /** Every slot's examples as plain objects, best first (BoundedBest's JSON: for reading and comparing). */
  toPlainJSON(): BoundedBestJSON<UnitExample> {
    return { k: this.k, slots: Array.from({ length: this.slots }, (_, s) => this.sorted(s)) };
  }

  private set(e: number, value: number, key: number, doc: number, pos: number): void {
    this.value[e] = value;
    this.key[e] = key;
    this.doc[e] = doc;
    this.pos[e] = pos;
    const slot = e % this.slots;
    this.primary[slot * this.k + (e - slot) / this.slots] = this.order === 'value' ? value : key;
  }

  /** Whether entry i of a slot comes before its entry j: the first criterion from `primary`, ties the full way. */
  private beforeIn(slot: number, i: number, j: number): boolean {
    const a = this.primary[slot * this.k + i];
    const b = this.primary[slot * this.k + j];
    if (a !== b) return this.order === 'value' ? a > b : a < b;
    return this.before(i * this.slots + slot, j * this.slots + slot);
  }

  // Per slot, a max-heap under the order (the worst entry at the root) of entry indices i (entry i · slots + slot).
  private siftUp(slot: number, i: number): void {
    const h = this.heap;
    const base = slot * this.k;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.beforeIn(slot, h[base + p], h[base + i])) return;
      [h[base + i], h[base + p]] = [h[base + p], h[base + i]];
      i = p;
    }
  }

  private siftDown(slot: number, i: number, n: number): void {
    const h = this.heap;
    const base = slot * this.k;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.beforeIn(slot, h[base + m], h[base + l])) m = l;
      if (r < n && this.beforeIn(slot, h[base + m], h[base + r])) m = r;
      if (m === i) return;
      [h[base + i], h[base + m]] = [h[base + m], h[base + i]];
      i = m;
    }
  }
}
