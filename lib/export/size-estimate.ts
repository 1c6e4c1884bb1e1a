/**
 * About how large an export file is, for the run page's download links (a reader on a slow link wants to know before
 * clicking): the header plus the table's row count times the mean size of a sample of its first rows, as formatted by
 * the stream itself. An estimate, labelled as one; exact sizes would mean formatting the whole table per page view.
 */
import { formatRow } from './stream';
import type { ExportFormat } from './tables';
import type { ExportTable } from './types';

/** Rows (or keys, for grouped tables) read to estimate the mean row size. */
export const SAMPLE_ROWS = 50;

export async function estimateExportBytes(table: ExportTable<unknown>, runId: string, rows: number, format: ExportFormat): Promise<number> {
  return (await estimateExportSizes(table, runId, rows))[format];
}

/** Both formats from one sample read (the run page shows both links). */
export async function estimateExportSizes(table: ExportTable<unknown>, runId: string, rows: number): Promise<Record<ExportFormat, number>> {
  const header = table.columns.map((c) => c.name).join(',').length + 1;
  if (rows === 0) return { csv: header, jsonl: 0 };
  const sample = await table.readPage(runId, undefined, Math.min(SAMPLE_ROWS, table.pageSize));
  if (sample.length === 0) return { csv: header, jsonl: 0 };
  const encoder = new TextEncoder();
  const mean = (format: ExportFormat) =>
    sample.reduce((s, row) => s + encoder.encode(formatRow(table, row, format)).length, 0) / sample.length;
  return { csv: Math.round(header + mean('csv') * rows), jsonl: Math.round(mean('jsonl') * rows) };
}

/** "≈ 1.2 MB", "≈ 340 kB", "≈ 900 B" (decimal units, two significant figures). */
export function formatApproxBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `≈ ${v >= 100 || u === 0 ? Math.round(v) : v.toPrecision(2)} ${units[u]}`;
}
