import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { getDiffProgress } from '@/lib/db/diff-progress';
import { diffIdSchema } from '@/lib/db/diffs';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ diffId: string }> };

/** GET /api/v1/diffs/{diffId}/progress → a diff's jobs on the work queue (the run progress shape; unit: documents). Never cached. */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const diffId = parseParam(diffIdSchema, (await ctx.params).diffId, 'diffId');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const progress = await getDiffProgress(diffId);
  if (!progress) throw notFoundError(`diff "${diffId}" does not exist; see /api/v1/diffs`);
  return Response.json(progress, { headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' } });
});
