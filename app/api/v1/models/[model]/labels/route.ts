import { withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { getHeadLabels } from '@/lib/db/head-labels';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/**
 * GET /api/v1/models/{model}/labels[?run=] → { model, run, rules: [...], labels: [{ layer, head, label, metricId, score,
 * threshold, status, effect, effectThreshold, effectUnit, detail, ablation }] }: claimed labels and their causal tests.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const labels = await getHeadLabels(run.id);
  return sendJson(request, { model: modelJson(model), run: runJson(run), rules: LABEL_RULES, labels }, { pinned });
});
