/**
 * The registry of per-run tables that can be exported in bulk
 * (`/api/v1/runs/{runId}/export/{table}.csv|jsonl`) and are counted on the run page.
 *
 * To add a table (neuron statistics, examples, ...): write an `ExportTable` (see types.ts and
 * head-tables.ts: columns, a keyset `readPage`, `keyOf`, `count`) in its own file and add it to
 * EXPORT_TABLES below. The export endpoint, the run page, `/api/v1/runs/{runId}` and the API docs
 * pick it up; nothing else to change.
 */
import { exampleTokensExport, headMetricsExport, headPatternsExport } from './head-tables';
import type { ExportTable } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const EXPORT_TABLES: readonly ExportTable<any>[] = [headMetricsExport, exampleTokensExport, headPatternsExport];

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function findExportTable(id: string): ExportTable<unknown> | undefined {
  return EXPORT_TABLES.find((t) => t.id === id);
}

/** `/api/v1/runs/{runId}/export/{table}.{format}` */
export function exportPath(runId: string, tableId: string, format: ExportFormat): string {
  return `/api/v1/runs/${encodeURIComponent(runId)}/export/${tableId}.${format}`;
}

/** Rows per table for a run, in registry order. */
export async function countRunTables(runId: string): Promise<{ table: ExportTable<unknown>; rows: number }[]> {
  return Promise.all(EXPORT_TABLES.map(async (table) => ({ table, rows: await table.count(runId) })));
}
