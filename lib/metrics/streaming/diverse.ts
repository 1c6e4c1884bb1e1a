/**
 * Diverse examples (open problem 6.29): top examples minus near-duplicates, so that one phrase repeated
 * across a corpus (a boilerplate line, a story's refrain) does not fill the whole list.
 * Two examples are near-identical when the tokens leading up to the max token are the same
 * (`prefixTokens` of them, max token included), or when their windows share ≥ `jaccard` of their
 * distinct tokens.
 */
import type { UnitExample } from './example';

export interface DiverseOptions {
  prefixTokens?: number;
  jaccard?: number;
}

export function nearDuplicate(a: UnitExample, b: UnitExample, opts: DiverseOptions = {}): boolean {
  const n = opts.prefixTokens ?? 4;
  const pa = prefix(a, n);
  const pb = prefix(b, n);
  if (pa.length === pb.length && pa.every((t, i) => t === pb[i])) return true;
  const sa = new Set(a.tokens);
  const sb = new Set(b.tokens);
  let inter = 0;
  for (const t of sa) if (sb.has(t)) inter++;
  const union = sa.size + sb.size - inter;
  return union > 0 && inter / union >= (opts.jaccard ?? 0.8);
}

function prefix(e: UnitExample, n: number): number[] {
  const at = e.pos - e.windowStart;
  return e.tokens.slice(Math.max(0, at - n + 1), at + 1);
}

/** Greedy: walk the examples best first and keep those not near-identical to one already kept; at most k. */
export function diverseExamples(sortedBestFirst: UnitExample[], k: number, opts: DiverseOptions = {}): UnitExample[] {
  const kept: UnitExample[] = [];
  for (const e of sortedBestFirst) {
    if (kept.length >= k) break;
    if (!kept.some((x) => nearDuplicate(x, e, opts))) kept.push(e);
  }
  return kept;
}
