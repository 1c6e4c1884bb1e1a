import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { toCsv } from '@/lib/api/csv';
import { loadDiffDetail } from '@/lib/api/diff-data';
import { parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendCsv } from '@/lib/api/respond';
import { diffIdSchema } from '@/lib/db/diffs';
import { DIFF_TABLES, diffFileSchema, findDiffTable } from '@/lib/export/diff-tables';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ diffId: string; file: string }> };

/** GET /api/v1/diffs/{diffId}/export/{table}.csv → one ranking of a published diff as CSV (bounded: rankings are top-k). */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const diffId = parseParam(diffIdSchema, params.diffId, 'diffId');
  const file = parseParam(diffFileSchema, params.file, 'file');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const id = file.replace(/\.csv$/, '');
  const table = findDiffTable(id);
  if (!table) throw notFoundError(`no diff table "${id}"; tables: ${DIFF_TABLES.map((t) => t.id).join(', ')}`);
  const detail = await loadDiffDetail(diffId);
  if (!detail) throw notFoundError(`diff "${diffId}" is not a published diff; see /api/v1/diffs`);
  if (table.whiteBox && !detail.sections.whiteBox)
    throw notFoundError(`diff "${diffId}" has no white-box results (its models differ in architecture), so no "${id}" table`);
  return sendCsv(request, toCsv(table.header, table.rows(detail.sections)), { pinned: true, filename: `${diffId}-${file}` });
});
