import { describe, expect, it } from 'vitest';
import { formatAttention, formatDate, formatMetricValue, formatParamCount, formatRank, roundAttentionForPage } from './numbers';

describe('number formats', () => {
  it('formats metric values with 3 decimals and a real minus sign', () => {
    expect(formatMetricValue(0.87654)).toBe('0.877');
    expect(formatMetricValue(-0.25)).toBe('−0.250');
    expect(formatMetricValue(-0.0001)).toBe('0.000');
    expect(formatMetricValue(null)).toBe('—');
    expect(formatMetricValue(Number.NaN)).toBe('—');
  });

  it('formats parameter counts as papers do', () => {
    expect(formatParamCount(260_032)).toBe('260K');
    expect(formatParamCount(1_780_000)).toBe('1.78M');
    expect(formatParamCount(15_200_000)).toBe('15.2M');
    expect(formatParamCount(124_439_808)).toBe('124M');
    expect(formatParamCount(6_738_415_616)).toBe('6.74B');
    expect(formatParamCount(999_999)).toBe('1M');
    expect(formatParamCount(512)).toBe('512');
    expect(() => formatParamCount(-1)).toThrow('expected a non-negative count, got -1');
  });

  it('formats attention weights, dates and ranks', () => {
    expect(formatAttention(0.456)).toBe('46%');
    expect(formatAttention(0.0123)).toBe('1.2%');
    expect(formatDate(new Date('2025-03-14T23:59:00Z'))).toBe('2025-03-14');
    expect(formatDate(null)).toBe('—');
    expect(formatRank(1, 144)).toBe('1st of 144');
    expect(formatRank(2, 40)).toBe('2nd of 40');
    expect(formatRank(3, 40)).toBe('3rd of 40');
    expect(formatRank(11, 40)).toBe('11th of 40');
    expect(formatRank(22, 40)).toBe('22nd of 40');
    expect(formatRank(113, 144)).toBe('113th of 144');
  });

  it('rounds attention weights to 4 decimals for the page, keeping exact zeros and ones', () => {
    expect(roundAttentionForPage([[1], [0.123456789, 0.876543211], [0, 0.00004, 0.99996]])).toEqual([[1], [0.1235, 0.8765], [0, 0, 1]]);
  });
});
