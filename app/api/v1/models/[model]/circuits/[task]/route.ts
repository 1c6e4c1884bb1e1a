import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { getCircuitTask, getHeadRoles, taskNameSchema } from '@/lib/db/circuits';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; task: string }> };

/**
 * GET /api/v1/models/{model}/circuits/{task}[?run=] → the circuit JSON export: the task (usability, prompts), the
 * circuit (nodes, edges with effects), the patching sweeps and path patching, and every head's role verdict on it.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const slug = parseParam(modelSlugSchema, params.model, 'model');
  const taskName = parseParam(taskNameSchema, params.task, 'task');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const task = await getCircuitTask(run.id, taskName);
  if (!task) throw notFoundError(`run ${run.id} of "${model.slug}" has no task "${taskName}"; see /api/v1/models/${model.slug}/circuits`);
  const roles = (await getHeadRoles(run.id)).filter((r) => r.task === task.task);
  return sendJson(request, { model: modelJson(model), run: runJson(run), ...task, roles }, { pinned });
});
