import { withApiErrors } from '@/lib/api/errors';
import { listDiffsJson } from '@/lib/api/diff-data';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { listSeries } from '@/lib/db/checkpoint-series';

export const dynamic = 'force-dynamic';

/** GET /api/v1/diffs → published model diffs (newest 200) and checkpoint series. */
export const GET = withApiErrors(async (request: Request) => {
  rejectUnknownParams(new URL(request.url).searchParams, []);
  const series = (await listSeries()).map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), page: `/series/${s.id}` }));
  return sendJson(request, { diffs: await listDiffsJson(), series }, { pinned: false });
});
