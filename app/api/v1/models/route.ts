import { z } from 'zod';
import { PAGE_PARAMS, pageOfSorted, parsePage } from '@/lib/api/cursor';
import { withApiErrors } from '@/lib/api/errors';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { listModels } from '@/lib/db/models';

export const dynamic = 'force-dynamic';

/** GET /api/v1/models[?limit=&cursor=] → { models: [{ slug, name, architecture, dims…, latestRun }], page } */
export const GET = withApiErrors(async (request: Request) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, [...PAGE_PARAMS]);
  const page = parsePage(search, { key: z.string(), scope: 'models', defaultLimit: 100, maxLimit: 1000 });
  // Few models: sorted by slug in memory, paged by slug.
  const { items, page: info } = pageOfSorted(request, await listModels(), page, (m) => m.slug);
  return sendJson(
    request,
    { models: items.map((m) => ({ ...modelJson(m), latestRun: m.latestRun ? runJson(m.latestRun) : null })), page: info },
    { pinned: false },
  );
});
