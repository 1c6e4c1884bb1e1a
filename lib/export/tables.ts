/**
 * The registry of per-run tables that can be exported in bulk
 * (`/api/v1/runs/{runId}/export/{table}.csv|jsonl`) and are counted on the run page.
 *
 * To add a table: write an `ExportTable` (see types.ts and
 * head-tables.ts: columns, a keyset `readPage`, `keyOf`, `count`) in its own file and add it to
 * EXPORT_TABLES below. The export endpoint, the run page, `/api/v1/runs/{runId}` and the API docs
 * pick it up; nothing else to change.
 */
import { headCompositionExport, headLabelsExport } from './circuit-tables';
import { headExamplesExport } from './head-example-tables';
import { exampleTokensExport, headMetricsExport, headPatternsExport } from './head-tables';
import { neuronExamplesExport, neuronStatsExport } from './neuron-tables';
import type { ExportTable } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const EXPORT_TABLES: readonly ExportTable<any>[] = [
  headMetricsExport,
  headLabelsExport,
  headCompositionExport,
  headExamplesExport,
  neuronStatsExport,
  neuronExamplesExport,
  exampleTokensExport,
  headPatternsExport,
];

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function findExportTable(id: string): ExportTable<unknown> | undefined {
  return EXPORT_TABLES.find((t) => t.id === id);
}

/** `/api/v1/runs/{runId}/export/{table}.{format}` */
export function exportPath(runId: string, tableId: string, format: ExportFormat): string {
  return `/api/v1/runs/${encodeURIComponent(runId)}/export/${tableId}.${format}`;
}

/**
 * Counts of published runs, kept for the life of the process: a published run never changes, and some
 * counts are not cheap (neuron examples are packed per neuron, so counting them reads every neuron's JSON).
 */
const publishedCounts = new Map<string, number[]>();
const MAX_CACHED_RUNS = 1000;

/** Rows per table for a PUBLISHED run (the counts are cached: see above), in registry order. */
export async function countRunTables(runId: string): Promise<{ table: ExportTable<unknown>; rows: number }[]> {
  let counts = publishedCounts.get(runId);
  if (!counts) {
    counts = await Promise.all(EXPORT_TABLES.map((table) => table.count(runId)));
    if (publishedCounts.size >= MAX_CACHED_RUNS) publishedCounts.clear();
    publishedCounts.set(runId, counts);
  }
  return EXPORT_TABLES.map((table, i) => ({ table, rows: counts[i] }));
}
