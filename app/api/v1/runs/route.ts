import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { PAGE_PARAMS } from '@/lib/api/cursor';
import { modelSlugSchema, parseOptionalParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { runsPage } from '@/lib/api/run-list';
import { getModel } from '@/lib/db/models';

export const dynamic = 'force-dynamic';

/** GET /api/v1/runs[?model=&limit=&cursor=] → published runs, newest first. */
export const GET = withApiErrors(async (request: Request) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['model', ...PAGE_PARAMS]);
  const model = parseOptionalParam(modelSlugSchema, search.get('model') ?? undefined, 'model');
  if (model !== undefined && !(await getModel(model))) throw notFoundError(`unknown model "${model}"; see /api/v1/models`);
  return sendJson(request, await runsPage(request, model), { pinned: false });
});
