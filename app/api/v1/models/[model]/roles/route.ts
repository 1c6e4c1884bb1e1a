import { withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { getHeadRoles } from '@/lib/db/circuits';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/**
 * GET /api/v1/models/{model}/roles[?run=] → { model, run, roles: [RoleVerdict] }: every head's verdict for every circuit
 * role the run measured (name mover, S-inhibition, copy suppression, …), with its score, threshold, reason, definition,
 * citation, version and causal confirmation. At most heads × roles rows, so one response.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  return sendJson(request, { model: modelJson(model), run: runJson(run), roles: await getHeadRoles(run.id) }, { pinned });
});
