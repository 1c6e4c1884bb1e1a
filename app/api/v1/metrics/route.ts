import { z } from 'zod';
import { PAGE_PARAMS, pageOfSorted, parsePage } from '@/lib/api/cursor';
import { withApiErrors } from '@/lib/api/errors';
import { describeMetric } from '@/lib/api/metric-descriptor';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { headMetrics } from '@/lib/metrics/heads/registry';

export const dynamic = 'force-dynamic';

/** GET /api/v1/metrics → the head metric registry: id, title, summary, definition, citation, range, version. */
export const GET = withApiErrors(async (request: Request) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, [...PAGE_PARAMS]);
  const pageReq = parsePage(search, { key: z.string(), scope: 'metrics', defaultLimit: 100, maxLimit: 1000 });
  const all = headMetrics.map((m) => {
    const { currentVersion: _current, ...d } = describeMetric(m);
    return { ...d, needs: m.needs };
  });
  const { items: metrics, page } = pageOfSorted(request, all, pageReq, (m) => m.id);
  return sendJson(request, { metrics, page }, { pinned: false });
});
