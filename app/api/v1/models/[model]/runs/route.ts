import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { PAGE_PARAMS } from '@/lib/api/cursor';
import { modelSlugSchema, parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';
import { runsPage } from '@/lib/api/run-list';
import { modelJson } from '@/lib/api/serialize';
import { getModel } from '@/lib/db/models';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** GET /api/v1/models/{model}/runs[?limit=&cursor=] → the model's published runs, newest first. */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  rejectUnknownParams(new URL(request.url).searchParams, [...PAGE_PARAMS]);
  const model = await getModel(slug);
  if (!model) throw notFoundError(`unknown model "${slug}"; see /api/v1/models for the models available`);
  return sendJson(request, { model: modelJson(model), ...(await runsPage(request, model.slug)) }, { pinned: false });
});
