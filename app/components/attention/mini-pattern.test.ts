import { describe, expect, it } from 'vitest';
import { patternPaths } from './mini-pattern';

describe('patternPaths', () => {
  it('draws each weight as a square in its shade, and leaves faint weights out', () => {
    // A previous-token head on 3 tokens: row 0 on BOS, rows 1 and 2 on the token before.
    const paths = patternPaths([[1], [0.98, 0.02], [0.01, 0.6, 0.39]], 4);
    const all = paths.map((p) => p.d).join('');
    expect(all).toContain('M0 0h4v4h-4z'); // A[0,0] = 1
    expect(all).toContain('M0 4h4v4h-4z'); // A[1,0] = 0.98
    expect(all).toContain('M4 8h4v4h-4z'); // A[2,1] = 0.6
    expect(all).toContain('M8 8h4v4h-4z'); // A[2,2] = 0.39
    expect(all).not.toContain('M4 4h'); // A[1,1] = 0.02: blank
    expect(all).not.toContain('M0 8h'); // A[2,0] = 0.01: blank
    // Darker for larger weights: 0.98 and 1 share the top shade, 0.6 one below it.
    const shadeOf = (cmd: string) => paths.find((p) => p.d.includes(cmd))!.opacity;
    expect(shadeOf('M0 0h')).toBeGreaterThan(shadeOf('M4 8h'));
    expect(shadeOf('M4 8h')).toBeGreaterThan(shadeOf('M8 8h'));
  });
});
