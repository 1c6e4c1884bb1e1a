import { describe, expect, it } from 'vitest';
import { rateAndEta } from './progress';

describe('rateAndEta', () => {
  it('times a step on its own part of a shared count, not on everything done before it began', () => {
    // 'metric successor' began at 12 of 18 and reached 13 after 0.5 s: 2 steps/s, 5 left → 3 s.
    expect(rateAndEta(13, 18, 0.5, 'steps', 12)).toBe('2.00 steps/s, ETA 3 s');
    expect(rateAndEta(12, 18, 0.5, 'steps', 12)).toBe('');
    expect(rateAndEta(100, 400, 10, 'docs')).toBe('10 docs/s, ETA 30 s');
  });
});
