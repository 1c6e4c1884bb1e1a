/**
 * Streams an export table as CSV or JSON Lines: keyset pages are read from the database as the
 * consumer wants more bytes (ReadableStream pull, one page read ahead), so memory stays at two pages
 * whatever the table's size, and a client that stops reading stops the database reads.
 */
import { csvField } from '@/lib/api/csv';
import type { ExportFormat } from './tables';
import type { ExportRow, ExportTable, ExportValue } from './types';

function csvCell(v: ExportValue): string {
  // Nested values (arrays of activations, pattern rows) travel as JSON inside one quoted field.
  if (v !== null && typeof v === 'object') return csvField(JSON.stringify(v));
  return csvField(v);
}

export function formatRow(table: ExportTable<unknown>, row: ExportRow, format: ExportFormat): string {
  if (format === 'csv') return table.columns.map((c) => csvCell(row[c.name] ?? null)).join(',') + '\n';
  const ordered: Record<string, ExportValue> = {};
  for (const c of table.columns) ordered[c.name] = row[c.name] ?? null;
  return JSON.stringify(ordered) + '\n';
}

export function exportStream(table: ExportTable<unknown>, runId: string, format: ExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // The next page is read while the consumer takes the current one (database and formatting overlap), so at
  // most two pages are held; a failed read surfaces when its page is awaited.
  let next: Promise<ExportRow[]> | null = null;
  const read = (after: unknown) => {
    const p = table.readPage(runId, after, table.pageSize);
    p.catch(() => {}); // awaited later (or dropped on cancel): never an unhandled rejection
    return p;
  };
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          next = read(undefined);
          if (format === 'csv') {
            controller.enqueue(encoder.encode(table.columns.map((c) => csvField(c.name)).join(',') + '\n'));
            return;
          }
        }
        if (done || !next) return;
        const rows = await next;
        next = null;
        // A short page is the last one, except for grouped tables (see types.ts), which end at an empty page.
        done = table.groupedRows ? rows.length === 0 : rows.length < table.pageSize;
        if (!done) next = read(table.keyOf(rows[rows.length - 1]));
        if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((r) => formatRow(table, r, format)).join('')));
        if (done) controller.close();
      },
      cancel() {
        next = null;
      },
    },
    { highWaterMark: 1 },
  );
}
