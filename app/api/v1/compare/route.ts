import { z } from 'zod';
import { loadComparison } from '@/lib/api/compare';
import { PAGE_PARAMS, pageOfSorted, parsePage } from '@/lib/api/cursor';
import { badRequest, withApiErrors } from '@/lib/api/errors';
import { parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/compare?a=<runId>&b=<runId>[&limit=&cursor=] → per-head metric differences (b − a),
 * with a per-metric summary. Both runs are published and immutable, so the answer is too.
 */
export const GET = withApiErrors(async (request: Request) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['a', 'b', ...PAGE_PARAMS]);
  if (!search.get('a') || !search.get('b')) throw badRequest('a and b: give two run ids, e.g. ?a=r4xq9m2k7p0&b=r8ck3v5w1zd');
  const a = parseParam(runIdSchema, search.get('a') ?? undefined, 'a');
  const b = parseParam(runIdSchema, search.get('b') ?? undefined, 'b');
  const pageReq = parsePage(search, {
    key: z.object({ layer: z.number().int(), head: z.number().int() }),
    scope: `compare:${a}:${b}`,
    defaultLimit: 1000,
    maxLimit: 10_000,
  });
  const { a: ra, b: rb, comparison } = await loadComparison(a, b);
  const { items, page } = pageOfSorted(request, comparison.heads, pageReq, (h) => ({ layer: h.layer, head: h.head }));
  return sendJson(
    request,
    {
      a: { run: runJson(ra.run), model: modelJson(ra.model) },
      b: { run: runJson(rb.run), model: modelJson(rb.model) },
      metrics: comparison.metrics,
      onlyInA: comparison.onlyInA,
      onlyInB: comparison.onlyInB,
      heads: items,
      page,
    },
    { pinned: true },
  );
});
