/**
 * The HTTP side of bulk export: parse `{table}.{csv|jsonl}`, answer 304 or stream the rows.
 * A published run never changes, so the ETag is derived from what the file is (run, table,
 * format, exporter version) instead of hashing a body that is never held in memory.
 */
import { createHash } from 'node:crypto';
import { badRequest, notFoundError } from '@/lib/api/errors';
import { cacheControl, notModified } from '@/lib/api/respond';
import { EXPORT_FORMATS, EXPORT_TABLES, findExportTable, type ExportFormat } from './tables';
import { exportStream } from './stream';
import type { ExportTable } from './types';

/** Bump when the exported bytes of existing tables change (columns, number formatting). */
export const EXPORT_VERSION = 1;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/jsonl; charset=utf-8',
};

export function parseExportFile(file: string): { table: ExportTable<unknown>; format: ExportFormat } {
  const m = /^([a-z][a-z0-9-]{0,63})\.([a-z0-9]{1,10})$/.exec(file);
  const tables = EXPORT_TABLES.map((t) => t.id);
  if (!m) throw badRequest(`file: must be "<table>.<format>" such as "head-metrics.csv" (got ${JSON.stringify(file)})`, { tables });
  if (!(EXPORT_FORMATS as readonly string[]).includes(m[2])) {
    throw badRequest(`file: format must be one of ${EXPORT_FORMATS.join(', ')} (got "${m[2]}")`, { formats: [...EXPORT_FORMATS] });
  }
  const table = findExportTable(m[1]);
  if (!table) throw notFoundError(`no export table "${m[1]}"; tables: ${tables.join(', ')}`, { tables });
  return { table, format: m[2] as ExportFormat };
}

export function exportResponse(
  request: Request,
  runId: string,
  modelSlug: string,
  table: ExportTable<unknown>,
  format: ExportFormat,
): Response {
  const etag = `"${createHash('sha1').update(`export:${EXPORT_VERSION}:${runId}:${table.id}:${format}`).digest('base64url')}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': cacheControl(true),
    'Content-Type': CONTENT_TYPES[format],
    'Content-Disposition': `inline; filename="${`${modelSlug}-${runId}-${table.id}.${format}`.replace(/[^\w.-]/g, '_')}"`,
    'Access-Control-Allow-Origin': '*',
  };
  if (notModified(request, etag)) return new Response(null, { status: 304, headers });
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(exportStream(table, runId, format), { status: 200, headers });
}
