import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { loadRunDetail } from '@/lib/api/run-detail';
import { modelJson, runJson } from '@/lib/api/serialize';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ runId: string }> };

/**
 * GET /api/v1/runs/{runId} → a published run: its record, model, rows per table with export URLs.
 * Immutable, so cached for a year; `latestRunId` is left out because it changes when a newer run is published.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const runId = parseParam(runIdSchema, (await ctx.params).runId, 'runId');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const detail = await loadRunDetail(runId);
  if (!detail) throw notFoundError(`run "${runId}" is not a published run; see /api/v1/runs`);
  return sendJson(
    request,
    {
      run: runJson(detail.run),
      model: modelJson(detail.model),
      tables: detail.tables,
      links: { page: detail.links.runPage, pinnedModelPage: detail.links.pinnedModelPage, latestModelPage: detail.links.latestModelPage },
    },
    { pinned: true },
  );
});
