/** One exportable per-run table; see tables.ts for the registry and how to add one. */

export type ExportValue = string | number | boolean | null | unknown[] | Record<string, unknown>;
export type ExportRow = Record<string, ExportValue>;

export interface ExportColumn {
  name: string;
  description: string;
}

export interface ExportTable<Key = unknown> {
  /** URL name: `/api/v1/runs/{runId}/export/{id}.csv|jsonl`. kebab-case. */
  id: string;
  title: string;
  description: string;
  /** Column order of the CSV header and of each JSONL object's keys. */
  columns: ExportColumn[];
  /** Rows per database read; a page is the most the server holds in memory at once. */
  pageSize: number;
  /** Rows the run has in this table (run page counts, export listing). */
  count(runId: string): Promise<number>;
  /** Up to `take` rows after keyset position `after` (undefined: from the start), in a fixed order. */
  readPage(runId: string, after: Key | undefined, take: number): Promise<ExportRow[]>;
  /** Keyset position of a row (the last row of a page becomes the next read's `after`). */
  keyOf(row: ExportRow): Key;
  /**
   * True when one key yields several rows (a neuron's packed examples → one row per example): `readPage`
   * then reads `take` keys, a page's row count says nothing about the end, and the stream stops at an empty page.
   */
  groupedRows?: boolean;
}
