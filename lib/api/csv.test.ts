import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('csv', () => {
  it('writes numbers in full precision and missing values as empty fields', () => {
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Number.POSITIVE_INFINITY)).toBe('inf');
    expect(csvField(-3)).toBe('-3');
  });

  it('quotes fields with separators, quotes, line breaks or edge spaces', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(' pad')).toBe('" pad"');
    expect(csvField('L0H1')).toBe('L0H1');
  });

  it('writes a header and rows, newline-terminated', () => {
    expect(
      toCsv(
        ['layer', 'head', 'name', 'induction'],
        [
          [0, 1, 'L0H1', 0.5],
          [1, 0, 'L1H0', null],
        ],
      ),
    ).toBe('layer,head,name,induction\n0,1,L0H1,0.5\n1,0,L1H0,\n');
  });

  it('rejects rows of the wrong width and an empty header', () => {
    expect(() => toCsv(['a', 'b'], [[1]])).toThrow('toCsv: row 0 has 1 fields but the header has 2');
    expect(() => toCsv([], [])).toThrow(/at least one column/);
  });
});
