import { describe, expect, it } from 'vitest';
import { inertText } from './inert-text';
import { formatToken } from './token-display';

describe('inertText', () => {
  it('shows bidi, zero-width and control characters as escapes and leaves ordinary text alone', () => {
    expect(inertText('abc \u202Egnp.exe')).toBe('abc \\u202Egnp.exe');
    expect(inertText('\u200F\u2066x\u2069')).toBe('\\u200F\\u2066x\\u2069');
    expect(inertText('bell\u0007 esc\u001B[31m nul\u0000')).toBe('bell\\x07 esc\\x1B[31m nul\\x00');
    expect(inertText('<script>alert(1)</script> café 日本')).toBe('<script>alert(1)</script> café 日本');
  });

  it('composes with token display: a byte token is already an escape', () => {
    expect(inertText(formatToken('<0x1B>').text)).toBe('\\x1B');
    expect(inertText(formatToken('▁\u202Eevil').text)).toBe('␣\\u202Eevil');
  });
});
