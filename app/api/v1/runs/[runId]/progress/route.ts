import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { getRunProgress } from '@/lib/db/run-progress';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ runId: string }> };

/**
 * GET /api/v1/runs/{runId}/progress → a run's progress on the work queue: jobs done/total, tokens,
 * rate, ETA, per-job status and error, the workers on it. Any run (running, failed or published);
 * live data, so never cached.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const runId = parseParam(runIdSchema, (await ctx.params).runId, 'runId');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const progress = await getRunProgress(runId);
  if (!progress) throw notFoundError(`run "${runId}" does not exist; see /api/v1/runs`);
  return Response.json(progress, { headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' } });
});
