import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { loadSeriesDetail } from '@/lib/api/diff-data';
import { parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { seriesIdSchema } from '@/lib/db/checkpoint-series';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ seriesId: string }> };

/** GET /api/v1/series/{seriesId} → a checkpoint series: per checkpoint its step, run, loss, weight change, and every head metric over steps. */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const seriesId = parseParam(seriesIdSchema, (await ctx.params).seriesId, 'seriesId');
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const detail = await loadSeriesDetail(seriesId);
  if (!detail) throw notFoundError(`series "${seriesId}" does not exist; see /api/v1/diffs`);
  const { series, points, metrics } = detail;
  return sendJson(
    request,
    {
      series: { id: series.id, name: series.name, createdAt: series.createdAt.toISOString(), page: `/series/${series.id}` },
      checkpoints: points,
      metrics,
    },
    { pinned: true },
  );
});
