import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { rateLimit } from '@/lib/api/rate-limit';
import { getPublishedRun } from '@/lib/api/resolve-run';
import { exportResponse, parseExportFile } from '@/lib/export/respond-export';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ runId: string; file: string }> };

/**
 * GET /api/v1/runs/{runId}/export/{table}.{csv|jsonl} → the whole table of a published run,
 * streamed (see lib/export/). `pd.read_csv(url)` / `pd.read_json(url, lines=True)` load it.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const runId = parseParam(runIdSchema, params.runId, 'runId');
  const { table, format } = parseExportFile(params.file ?? '');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const limited = rateLimit(request, { bucket: 'export', perMinute: 60 });
  if (limited) return limited;
  const run = await getPublishedRun(runId);
  if (!run) throw notFoundError(`run "${runId}" is not a published run; see /api/v1/runs`);
  return exportResponse(request, run.id, run.modelSlug, table, format);
});
