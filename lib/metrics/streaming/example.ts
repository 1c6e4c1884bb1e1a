/**
 * One example of a unit's activation in a corpus: where it is, how strong, and the token window around it
 * with the unit's activation on every token of the window (so pages can shade the whole window).
 */
export interface UnitExample {
  /** The unit's activation at `pos`. */
  value: number;
  /** Index of the context (document chunk) in the whole corpus scan: global, the same in every shard. */
  doc: number;
  /** Position of the token in its context (0 = BOS). */
  pos: number;
  /** Sampling key (keyed reservoirs only), in [0, 2^32). */
  key?: number;
  /** Context position of tokens[0]. */
  windowStart: number;
  /** Token ids of the window. */
  tokens: number[];
  /** The unit's activation on each token of the window. */
  acts: number[];
}

/**
 * The total order of top-k: larger value first, then earlier context, then earlier position. Ties are
 * broken by position so that top-k is a pure function of the multiset of examples (exact merges).
 */
export function byValueDesc(a: UnitExample, b: UnitExample): number {
  if (a.value !== b.value) return b.value - a.value;
  if (a.doc !== b.doc) return a.doc - b.doc;
  return a.pos - b.pos;
}

/** The order of keyed reservoirs: smaller key first (then position, in the unlikely case of equal keys). */
export function byKeyAsc(a: UnitExample, b: UnitExample): number {
  const ka = a.key ?? 0;
  const kb = b.key ?? 0;
  if (ka !== kb) return ka - kb;
  if (a.doc !== b.doc) return a.doc - b.doc;
  return a.pos - b.pos;
}

/**
 * A seeded 32-bit hash of a token's address (context, position): the sampling key of keyed reservoirs.
 * Keeping the k smallest keys is a uniform random sample without replacement that does not depend on the
 * order or sharding of the stream (bottom-k / priority sampling), so reservoirs merge exactly.
 */
export function tokenKey(seed: number, doc: number, pos: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ doc, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h ^ pos, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2f) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

/** Window [start, end) of `length` tokens around `pos`: `before` tokens before it, `after` after, clipped. */
export function windowAround(pos: number, length: number, before: number, after: number): { start: number; end: number } {
  return { start: Math.max(0, pos - before), end: Math.min(length, pos + after + 1) };
}
