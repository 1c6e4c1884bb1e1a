/**
 * A bounded best-k list under a total order (`better(x, y) < 0` when x ranks before y; ties must be broken down to
 * identity, e.g. by document and position), so that merging partial lists in any grouping gives the same list.
 */
export class TopK<T> {
  readonly items: T[] = [];

  constructor(
    readonly k: number,
    private readonly compare: (x: T, y: T) => number,
  ) {}

  /** Whether an item ranking like `probe` would enter (lets callers skip building it). */
  wouldAccept(probe: T): boolean {
    return this.k > 0 && (this.items.length < this.k || this.compare(probe, this.items[this.items.length - 1]) < 0);
  }

  push(item: T): void {
    if (!this.wouldAccept(item)) return;
    let i = this.items.length;
    while (i > 0 && this.compare(item, this.items[i - 1]) < 0) i--;
    this.items.splice(i, 0, item);
    if (this.items.length > this.k) this.items.pop();
  }
}
