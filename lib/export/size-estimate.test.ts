import { describe, expect, it } from 'vitest';
import { formatRow } from './stream';
import { estimateExportBytes, formatApproxBytes } from './size-estimate';
import type { ExportRow, ExportTable } from './types';

/** A table of `n` identical rows: the estimate must then be exact. */
function table(n: number): ExportTable<number> {
  const rows: ExportRow[] = Array.from({ length: n }, (_, i) => ({ layer: 1, head: 3, name: 'L1H3', value: 0.25, i: i % 10 }));
  return {
    id: 't',
    title: 'T',
    description: '',
    columns: ['layer', 'head', 'name', 'value', 'i'].map((name) => ({ name, description: '' })),
    pageSize: 1000,
    count: async () => n,
    readPage: async (_run, after, take) => rows.slice(after ?? 0, (after ?? 0) + take),
    keyOf: (row) => Number(row.i),
  };
}

describe('export size estimate', () => {
  it('equals the streamed size when rows are alike (header included for CSV)', async () => {
    const t = table(1234);
    const line = formatRow(t as ExportTable<unknown>, { layer: 1, head: 3, name: 'L1H3', value: 0.25, i: 0 }, 'csv');
    const header = 'layer,head,name,value,i\n';
    expect(await estimateExportBytes(t as ExportTable<unknown>, 'r', 1234, 'csv')).toBe(header.length + line.length * 1234);
    const jsonl = formatRow(t as ExportTable<unknown>, { layer: 1, head: 3, name: 'L1H3', value: 0.25, i: 0 }, 'jsonl');
    expect(await estimateExportBytes(t as ExportTable<unknown>, 'r', 1234, 'jsonl')).toBe(jsonl.length * 1234);
    expect(await estimateExportBytes(t as ExportTable<unknown>, 'r', 0, 'jsonl')).toBe(0);
    expect(await estimateExportBytes(t as ExportTable<unknown>, 'r', 0, 'csv')).toBe(header.length);
  });

  it('prints two significant figures in decimal units', () => {
    expect(formatApproxBytes(900)).toBe('≈ 900 B');
    expect(formatApproxBytes(340_400)).toBe('≈ 340 kB');
    expect(formatApproxBytes(1_234_567)).toBe('≈ 1.2 MB');
    expect(formatApproxBytes(5_300)).toBe('≈ 5.3 kB');
  });
});
