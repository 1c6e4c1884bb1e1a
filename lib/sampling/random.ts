/**
 * Seeded pseudo-random numbers, so that generated inputs (repeated random tokens) are reproducible
 * from the seed recorded with a run. mulberry32 (Tommy Ettinger, public domain): 32-bit state,
 * fast, good enough statistically for sampling token ids; not for cryptography.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`makeRng: seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  const nextUint32 = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next: () => nextUint32() / 4294967296,
    int(n: number) {
      if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new Error(`Rng.int: n must be an integer in 1..2^32, got ${n}`);
      // Rejection sampling: no modulo bias even for n that do not divide 2^32.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const u = nextUint32();
        if (u < limit) return u % n;
      }
    },
  };
}

/** n token ids drawn uniformly from 0..vocabSize-1 minus `excluded` (e.g. a tokenizer's specialIds). */
export function randomTokens(rng: Rng, n: number, vocabSize: number, excluded: ReadonlySet<number> = new Set()): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randomTokens: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(vocabSize) || vocabSize <= 0)
    throw new Error(`randomTokens: vocabSize must be a positive integer, got ${vocabSize}`);
  const allowed: number[] = [];
  for (let id = 0; id < vocabSize; id++) if (!excluded.has(id)) allowed.push(id);
  if (allowed.length === 0) throw new Error(`randomTokens: every id in 0..${vocabSize - 1} is excluded`);
  return Array.from({ length: n }, () => allowed[rng.int(allowed.length)]);
}
