import { describe, expect, it } from 'vitest';
import { rejectUnknownParams } from './query-guard';

describe('rejectUnknownParams', () => {
  it('accepts known parameters', () => {
    expect(() => rejectUnknownParams(new URLSearchParams('sort=induction&run=r1'), ['sort', 'run'])).not.toThrow();
  });

  it('names misspelt parameters in a 400', () => {
    expect(() => rejectUnknownParams(new URLSearchParams('sotr=induction&x=1&x=2'), ['sort', 'run'])).toThrow(
      'unknown query parameters: sotr, x; this endpoint takes: sort, run',
    );
    expect(() => rejectUnknownParams(new URLSearchParams('a=1'), [])).toThrow(
      'unknown query parameter: a; this endpoint takes no parameters',
    );
  });
});
