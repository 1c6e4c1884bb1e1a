/**
 * Example windows kept while a scan streams, in flat typed arrays instead of one JS array per example.
 *
 * Why: a scan accepts units × k × (1 + ln(contexts / k)) top candidates and about as many sample candidates
 * (reservoirs fill, then improve ever more rarely), each with a window of up to a whole context. As JS arrays
 * those windows were most of the scan's garbage and its collector time; here a window is a fixed-width row of
 * a slab, freed when its example is evicted and reused by the next one. Rows become plain arrays only when the
 * stream is read (`UnitStream.toJSON`, `summary`, `merge`).
 *
 * Memory: one row per kept example (units × (k + extra) top rows, units × (bins + 2 + randomK) sample rows):
 * the caller sizes the slab for the most examples it keeps at once; it grows by doubling if asked for more.
 */
export class WindowSlab {
  acts: Float32Array;
  /** Token ids per row (only when the slab keeps tokens; top examples share one token array per context). */
  tokens: Int32Array;
  lengths: Int32Array;
  private readonly freeRows: number[] = [];
  private rows = 0;

  constructor(
    readonly width: number,
    readonly withTokens: boolean,
    initialRows = 256,
  ) {
    this.acts = new Float32Array(initialRows * width);
    this.tokens = new Int32Array(withTokens ? initialRows * width : 0);
    this.lengths = new Int32Array(initialRows);
  }

  /** A free row (grows the slab when every row is taken). */
  alloc(): number {
    const free = this.freeRows.pop();
    if (free !== undefined) return free;
    if (this.rows === this.lengths.length) this.grow();
    return this.rows++;
  }

  release(row: number): void {
    this.freeRows.push(row);
  }

  /** Rows in use. */
  get used(): number {
    return this.rows - this.freeRows.length;
  }

  /** Row `row` as plain arrays (its first `lengths[row]` values). */
  actsOf(row: number): number[] {
    return plainArray(this.acts, row * this.width, this.lengths[row]);
  }

  tokensOf(row: number): number[] {
    return plainArray(this.tokens, row * this.width, this.lengths[row]);
  }

  private grow(): void {
    const rows = 2 * this.lengths.length;
    const acts = new Float32Array(rows * this.width);
    acts.set(this.acts);
    this.acts = acts;
    if (this.withTokens) {
      const tokens = new Int32Array(rows * this.width);
      tokens.set(this.tokens);
      this.tokens = tokens;
    }
    const lengths = new Int32Array(rows);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }
}

/** A typed array's values as a plain array (a loop: `Array.from` on a typed array goes through its iterator). */
function plainArray(from: Float32Array | Int32Array, at: number, length: number): number[] {
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = from[at + i];
  return out;
}
