/**
 * For each of many slots (a unit, or a unit × histogram bin), the k best items under a total order:
 * top-k examples (order `byValueDesc`) or a keyed random sample (order `byKeyAsc`). A binary heap per slot
 * with the worst kept item at the root, so memory is slots × k whatever the stream's length.
 *
 * merge(a, b) offers every item of b to a. Because the order is total (ties broken by position), the
 * result is the k best of the union: the same for every split of the stream and every merge order.
 */
import type { UnitExample } from './example';

export type Order<T> = (a: T, b: T) => number;

export interface BoundedBestJSON<T> {
  k: number;
  slots: T[][];
}

export class BoundedBest<T = UnitExample> {
  /** Per slot, a heap whose root is the worst kept item. */
  private readonly heaps: T[][];

  constructor(
    readonly slots: number,
    readonly k: number,
    readonly order: Order<T>,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`BoundedBest: k must be a positive integer, got ${k}`);
    this.heaps = Array.from({ length: slots }, () => []);
  }

  size(slot: number): number {
    return this.heaps[slot].length;
  }

  /** The worst kept item of a full slot (the bar a newcomer must beat), or undefined while not full. */
  bar(slot: number): T | undefined {
    const h = this.heaps[slot];
    return h.length < this.k ? undefined : h[0];
  }

  /** Whether `item` would be kept; lets callers skip building an item's payload (its window) when not. */
  wouldAccept(slot: number, item: T): boolean {
    const bar = this.bar(slot);
    return bar === undefined || this.order(item, bar) < 0;
  }

  offer(slot: number, item: T): boolean {
    const h = this.heaps[slot];
    if (h.length < this.k) {
      h.push(item);
      this.siftUp(h, h.length - 1);
      return true;
    }
    if (this.order(item, h[0]) >= 0) return false;
    h[0] = item;
    this.siftDown(h, 0);
    return true;
  }

  /** Slot's items, best first. */
  sorted(slot: number): T[] {
    return [...this.heaps[slot]].sort(this.order);
  }

  static merge<T>(a: BoundedBest<T>, b: BoundedBest<T>): BoundedBest<T> {
    if (a.slots !== b.slots || a.k !== b.k) throw new Error(`BoundedBest.merge: shapes differ (${a.slots}×${a.k} vs ${b.slots}×${b.k})`);
    for (let s = 0; s < b.slots; s++) for (const item of b.heaps[s]) a.offer(s, item);
    return a;
  }

  toJSON(): BoundedBestJSON<T> {
    return { k: this.k, slots: this.heaps.map((_, s) => this.sorted(s)) };
  }

  static fromJSON<T>(j: BoundedBestJSON<T>, order: Order<T>): BoundedBest<T> {
    const b = new BoundedBest<T>(j.slots.length, j.k, order);
    j.slots.forEach((items, s) => items.forEach((it) => b.offer(s, it)));
    return b;
  }

  // The heap is a max-heap under `order` (worst = largest in order terms) at the root.
  private siftUp(h: T[], i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.order(h[i], h[p]) <= 0) return;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private siftDown(h: T[], i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.order(h[l], h[m]) > 0) m = l;
      if (r < h.length && this.order(h[r], h[m]) > 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
