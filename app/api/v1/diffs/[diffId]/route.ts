import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { diffJson, loadDiffDetail } from '@/lib/api/diff-data';
import { parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { diffIdSchema } from '@/lib/db/diffs';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ diffId: string }> };

/** GET /api/v1/diffs/{diffId} → a published diff: its record, black-box and white-box results, CSV tables. Immutable. */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const diffId = parseParam(diffIdSchema, (await ctx.params).diffId, 'diffId');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const detail = await loadDiffDetail(diffId);
  if (!detail) throw notFoundError(`diff "${diffId}" is not a published diff; see /api/v1/diffs`);
  return sendJson(
    request,
    { diff: diffJson(detail.diff), blackBox: detail.sections.blackBox, whiteBox: detail.sections.whiteBox, tables: detail.tables },
    { pinned: true },
  );
});
