import { withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { listCircuitTasks } from '@/lib/db/circuits';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** GET /api/v1/models/{model}/circuits[?run=] → { model, run, tasks: [{ task, kind, description, usability }] }. */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const tasks = await listCircuitTasks(run.id);
  return sendJson(request, { model: modelJson(model), run: runJson(run), tasks }, { pinned });
});
