import { describe, expect, it } from 'vitest';
import { topOverlap } from './top-overlap';

describe('topOverlap', () => {
  it('counts shared contexts (of a) and the Jaccard overlap of max tokens', () => {
    const a = [
      { contextId: 1, token: 7 },
      { contextId: 2, token: 7 },
      { contextId: 3, token: 8 },
      { contextId: 4, token: 9 },
    ];
    const b = [
      { contextId: 2, token: 7 },
      { contextId: 4, token: 10 },
      { contextId: 5, token: 11 },
    ];
    // contexts: {2, 4} of a's {1, 2, 3, 4}; tokens: {7} of {7, 8, 9, 10, 11}.
    expect(topOverlap(a, b)).toEqual({ contexts: 0.5, tokens: 0.2 });
    expect(topOverlap(a, a)).toEqual({ contexts: 1, tokens: 1 });
    expect(topOverlap([], [])).toEqual({ contexts: null, tokens: null });
  });
});
