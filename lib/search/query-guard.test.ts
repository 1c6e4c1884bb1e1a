import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/errors';
import { countSearchTerms, MAX_SEARCH_TERMS, searchQueryProblem, withSearchSlot } from './query-guard';

describe('searchQueryProblem', () => {
  it('refuses control characters, NUL first', () => {
    expect(searchQueryProblem('a\u0000b')).toMatch(/control character \(U\+0000, NUL\)/);
    expect(searchQueryProblem('a\u001bb')).toMatch(/U\+001B/);
    expect(searchQueryProblem('tab\tand newline\n are spacing')).toBeNull();
  });

  it('caps the number of terms; operators and numbers ride with their metric', () => {
    expect(countSearchTerms('induction > 0.5 copying>=0.2 L1H3 "once upon a time" cat')).toBe(5);
    expect(countSearchTerms('a b c')).toBe(3);
    const words = Array.from({ length: 39 }, (_, i) => `w${i}`).join(' ');
    expect(words.length).toBeLessThan(200);
    expect(searchQueryProblem(words)).toBe(`has 39 terms; a search takes at most ${MAX_SEARCH_TERMS}: leave out some words`);
    expect(searchQueryProblem(Array.from({ length: MAX_SEARCH_TERMS }, (_, i) => `w${i}`).join(' '))).toBeNull();
    expect(searchQueryProblem('x'.repeat(201))).toMatch(/201 characters/);
  });
});

describe('withSearchSlot', () => {
  it('runs at most `concurrency` searches at once and refuses one that waits too long (503, Retry-After)', async () => {
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const search = () =>
      new Promise<number>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        release.push(() => {
          running--;
          resolve(1);
        });
      });
    const a = withSearchSlot(search, { concurrency: 2, waitMs: 50 });
    const b = withSearchSlot(search, { concurrency: 2, waitMs: 50 });
    const c = withSearchSlot(search, { concurrency: 2, waitMs: 10_000 });
    const d = withSearchSlot(search, { concurrency: 2, waitMs: 50 });
    await expect(d).rejects.toBeInstanceOf(ApiError);
    await expect(d).rejects.toMatchObject({ status: 503, details: { retryAfterSeconds: 1 } });
    expect(peak).toBe(2);
    release.shift()!(); // a finishes: c takes its slot
    await a;
    await new Promise((r) => setTimeout(r, 10));
    expect(running).toBe(2);
    for (const r of release.splice(0)) r();
    expect(await Promise.all([b, c])).toEqual([1, 1]);
    expect(peak).toBe(2);
  });
});
