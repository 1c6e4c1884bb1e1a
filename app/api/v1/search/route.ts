import { z } from 'zod';
import { PAGE_PARAMS, pageOfSorted, parsePage } from '@/lib/api/cursor';
import { badRequest, withApiErrors } from '@/lib/api/errors';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { rateLimit } from '@/lib/api/rate-limit';
import { searchQueryProblem, SEARCH_PER_MINUTE, withSearchSlot } from '@/lib/search/query-guard';
import { runSearch } from '@/lib/search/search';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/search?q=<query>[&limit=&cursor=] → { query, parsed, problems, results: [{ kind, title, description, url }], page }.
 * The same search as the site's search box (lib/search/).
 */
export const GET = withApiErrors(async (request: Request) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['q', ...PAGE_PARAMS]);
  const q = (search.get('q') ?? '').trim();
  if (!q) throw badRequest('q: give a search query, e.g. q=L1H3, q=induction%20%3E%200.5 or q=stories260K');
  // Cost bounds (lib/search/query-guard.ts): what the query may be, how often, how many at once.
  const problem = searchQueryProblem(q);
  if (problem) throw badRequest(`q: ${problem}`);
  const pageReq = parsePage(search, { key: z.string(), scope: `search:${q}`, defaultLimit: 100, maxLimit: 1000 });
  const limited = rateLimit(request, { bucket: 'search', perMinute: SEARCH_PER_MINUTE });
  if (limited) return limited;
  const { parsed, results } = await withSearchSlot(() => runSearch(q));
  const { items, page } = pageOfSorted(request, results, pageReq, (r) => r.url);
  const { problems, ...terms } = parsed;
  return sendJson(request, { query: q, parsed: terms, problems, results: items, page }, { pinned: false });
});
