import { withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { getHeadRoles } from '@/lib/db/circuits';
import { getHeadLabels } from '@/lib/db/head-labels';
import { LITERATURE } from '@/lib/literature/heads';
import { judgeClaim } from '@/lib/literature/verdict';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/**
 * GET /api/v1/models/{model}/literature[?run=] → { model, run, claims: [{ layer, head, role, citation, where, check,
 * verdict: agrees | disagrees | untestable, because }] }: heads named in published work (lib/literature/heads.ts)
 * beside what this run measured. A model no paper names has an empty list.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const [roles, labels] = await Promise.all([getHeadRoles(run.id), getHeadLabels(run.id)]);
  const claims = LITERATURE.filter((c) => c.model === model.slug).map((c) => judgeClaim(c, roles, labels));
  return sendJson(request, { model: modelJson(model), run: runJson(run), claims }, { pinned });
});
