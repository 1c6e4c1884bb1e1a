import { describe, expect, it } from 'vitest';
import { classifyExample } from './classify';
import type { HeadExample } from './types';

/** An example over context positions windowStart.. with the destination row attending to `row` (flat pairs). */
function example(tokens: number[], windowStart: number, pos: number, row: number[]): HeadExample {
  const attn = tokens.map(() => [] as number[]);
  attn[pos - windowStart] = row;
  return { value: 1, doc: 0, pos, windowStart, tokens, acts: tokens.map(() => 0), attn };
}

describe('classifyExample (hand-built windows with known answers)', () => {
  // Context: BOS a b c d a b c  (ids: 0 BOS, 1 a, 2 b, 3 c, 4 d); positions 0..7.
  const ctx = [0, 1, 2, 3, 4, 1, 2, 3];

  it('induction in repeated text: at the second "b" (6), attending to the "c" after the first "b" (3)', () => {
    const c = classifyExample(example(ctx, 0, 6, [3, 0.9, 0, 0.1]));
    expect(c).toEqual({ source: 3, previous: false, induction: true, repeated: true });
  });

  it('induction without repetition before it: the destination matches, its predecessor does not', () => {
    // BOS a b x b: at position 4 ("b") attending to 3 ("x", after the earlier "b" at 2); t(1)=a ≠ t(3)=x.
    const c = classifyExample(example([0, 1, 2, 9, 2], 0, 4, [3, 0.8]));
    expect(c).toEqual({ source: 3, previous: true, induction: true, repeated: false });
  });

  it('previous token, and BOS skipped as a source even when strongest', () => {
    expect(classifyExample(example(ctx, 0, 5, [0, 0.6, 4, 0.4]))).toEqual({ source: 4, previous: true, induction: false, repeated: false });
    // At destination 1 the only earlier token is BOS: attending to BOS is attending one back.
    expect(classifyExample(example(ctx, 0, 1, [0, 0.7, 1, 0.3])).previous).toBe(true);
    expect(classifyExample(example(ctx, 0, 1, [1, 0.7, 0, 0.3])).previous).toBe(false);
  });

  it('a window that does not reach the token before the source decides nothing about induction', () => {
    // Window starts at 3: position 2 (the token before source 3) is outside it.
    const c = classifyExample(example(ctx.slice(3), 3, 6, [3, 0.9]));
    expect(c.induction).toBe(false);
    expect(c.source).toBe(3);
  });

  it('a row with only BOS has no source', () => {
    expect(classifyExample(example(ctx, 0, 4, [0, 1]))).toEqual({ source: -1, previous: false, induction: false, repeated: false });
  });
});
