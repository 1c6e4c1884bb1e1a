import { describe, expect, it } from 'vitest';
import { displayByte, displayToken, formatToken } from './token-display';

describe('formatToken', () => {
  it('shows the SentencePiece space marker as a visible space', () => {
    expect(displayToken('▁Once')).toBe('␣Once');
    expect(displayToken('▁▁')).toBe('␣␣');
    expect(formatToken('▁upon')).toEqual({ text: '␣upon', kind: 'text', title: '"▁upon"' });
  });

  it('shows newline, tab and space byte tokens as marks', () => {
    expect(formatToken('<0x0A>')).toEqual({ text: '↵', kind: 'byte', title: '<0x0A> (byte 0x0A)' });
    expect(displayToken('<0x09>')).toBe('⇥');
    expect(displayToken('<0x20>')).toBe('␣');
  });

  it('shows printable ASCII bytes as themselves and other bytes as \\xHH', () => {
    expect(displayToken('<0x41>')).toBe('A');
    expect(displayToken('<0xE2>')).toBe('\\xE2');
    expect(displayToken('<0x00>')).toBe('\\x00');
    expect(displayToken('<0x7f>')).toBe('\\x7F');
  });

  it('marks special tokens', () => {
    expect(formatToken('<s>').kind).toBe('special');
    expect(formatToken('</s>').kind).toBe('special');
    expect(formatToken('<unk>').kind).toBe('special');
    expect(formatToken('<|endoftext|>')).toEqual({ text: '<|endoftext|>', kind: 'special', title: '<|endoftext|> (special token)' });
  });

  it('maps GPT-2 byte-level whitespace (Ġ, Ċ) to visible marks', () => {
    expect(displayToken('Ġthe')).toBe('␣the');
    expect(displayToken('ĊĊ')).toBe('↵↵');
  });

  it('keeps ordinary text, including non-ASCII, untouched', () => {
    expect(displayToken('ing')).toBe('ing');
    expect(displayToken('über')).toBe('über');
    expect(displayToken('<')).toBe('<');
    expect(formatToken('<b').kind).toBe('text');
  });

  it('makes empty pieces visible and rejects non-strings', () => {
    expect(displayToken('')).toBe('∅');
    expect(() => formatToken(3 as unknown as string)).toThrow(/expected a string piece, got number/);
  });
});

describe('displayByte', () => {
  it('rejects values that are not bytes', () => {
    expect(() => displayByte(256)).toThrow(/0\.\.255, got 256/);
    expect(() => displayByte(-1)).toThrow(RangeError);
  });
});
