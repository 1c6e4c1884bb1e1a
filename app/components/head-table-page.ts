/** The head table's rows for one request: all heads, or one page of the query's heads for a big model. */
import { filterHeadRows, sortHeadRows, type HeadRow } from '@/lib/api/head-rows';
import type { HeadTablePaging, HeadTableQuery } from './HeadTable';

/** Heads per page of the head table: a model with more is paged on the server (weight bounded by what is shown). */
export const HEAD_PAGE_SIZE = 50;

/**
 * The rows the head table gets: every head when the model fits one page (the table sorts and filters them in
 * place), else one page of the query's heads, filtered and sorted here as the API does (lib/api/head-rows.ts).
 */
export function headTablePage(
  rows: HeadRow[],
  metricIds: string[],
  q: HeadTableQuery,
  raw: string | undefined,
): { rows: HeadRow[]; paging?: HeadTablePaging } {
  if (rows.length <= HEAD_PAGE_SIZE) return { rows };
  const minMetric = q.min !== undefined && q.sort && metricIds.includes(q.sort) ? q.sort : undefined;
  let matching = filterHeadRows(rows, minMetric ? { layer: q.layer, minMetric, min: q.min } : { layer: q.layer });
  if (q.sort) matching = sortHeadRows(matching, q.sort === 'head' ? 'name' : q.sort, q.dir);
  const pages = Math.max(1, Math.ceil(matching.length / HEAD_PAGE_SIZE));
  const page = Math.min(pages, raw && /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : 1);
  const from = (page - 1) * HEAD_PAGE_SIZE;
  return {
    rows: matching.slice(from, from + HEAD_PAGE_SIZE),
    paging: { page, pages, pageSize: HEAD_PAGE_SIZE, matching: matching.length, total: rows.length },
  };
}
