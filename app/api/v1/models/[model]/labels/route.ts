import { z } from 'zod';
import { PAGE_PARAMS, pageOfSorted, parsePage } from '@/lib/api/cursor';
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

const keySchema = z.object({ layer: z.number().int().min(0), head: z.number().int().min(0), label: z.string() });

/**
 * GET /api/v1/models/{model}/labels[?run=] → { model, run, rules: [...], labels: [{ layer, head, label, metricId, score,
 * threshold, status, effect, effectThreshold, effectUnit, detail, ablation }], page }: claimed labels and their causal tests,
 * cursor-paginated like every list (a run has at most heads × rules labels, so a page is cut from the ordered list in memory).
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run', ...PAGE_PARAMS]);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const page = parsePage(search, { key: keySchema, scope: 'labels', defaultLimit: 1000, maxLimit: 10_000 });
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const all = await getHeadLabels(run.id);
  const { items: labels, page: info } = pageOfSorted(request, all, page, (l) => ({ layer: l.layer, head: l.head, label: l.label }));
  return sendJson(request, { model: modelJson(model), run: runJson(run), rules: LABEL_RULES, labels, page: info }, { pinned });
});
