/**
 * Streams an export table as CSV or JSON Lines: one keyset page is read from the database each
 * time the consumer wants more bytes (ReadableStream pull), so memory stays at one page whatever
 * the table's size, and a client that stops reading stops the database reads.
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
  let after: unknown = undefined;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          if (format === 'csv') {
            controller.enqueue(encoder.encode(table.columns.map((c) => csvField(c.name)).join(',') + '\n'));
            return;
          }
        }
        if (done) return;
        const rows = await table.readPage(runId, after, table.pageSize);
        if (rows.length > 0) {
          after = table.keyOf(rows[rows.length - 1]);
          controller.enqueue(encoder.encode(rows.map((r) => formatRow(table, r, format)).join('')));
        }
        if (rows.length < table.pageSize) {
          done = true;
          controller.close();
        }
      },
    },
    { highWaterMark: 1 },
  );
}
