import { describe, expect, it } from 'vitest';
import { matchSnippet } from './snippet';

describe('matchSnippet', () => {
  it('returns short texts whole', () => {
    expect(matchSnippet('Once upon a time', 'upon')).toBe('Once upon a time');
  });

  it('cuts long texts around the first match at word boundaries, case-insensitively', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const text = `${words} the Little Girl ran ${words}`;
    const s = matchSnippet(text, 'little girl', 12);
    expect(s).toMatch(/^….*the Little Girl ran.*…$/);
    expect(s.length).toBeLessThan(60);
    expect(s).not.toMatch(/…\S*\d\S* $/); // no trailing half word before the ellipsis
    for (const w of s.replace(/…/g, '').trim().split(' ')) expect(text.split(' ')).toContain(w);
  });

  it('falls back to the start when the phrase is not found (case folding differs)', () => {
    const text = 'a'.repeat(200);
    expect(matchSnippet(text, 'zz', 10)).toBe(`${'a'.repeat(22)}…`);
  });
});
