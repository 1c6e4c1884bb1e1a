import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { headExists, loadHeadDetail } from '@/lib/api/head-data';
import { indexSchema, modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { headPath } from '@/lib/format/paths';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; layer: string; head: string }> };

/**
 * GET /api/v1/models/{model}/heads/{L}/{H}[?run=] → the head's metric values (with definitions and
 * ranks) and its attention pattern on the run's example text.
 * Malformed L/H (`-1`, `abc`) → 400; well-formed but outside the model → 404.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const slug = parseParam(modelSlugSchema, params.model, 'model');
  const layer = parseParam(indexSchema, params.layer, 'layer');
  const head = parseParam(indexSchema, params.head, 'head');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');

  const { model, run, pinned } = await requireModelRun(slug, runId);
  if (!headExists(model, layer, head)) {
    throw notFoundError(
      `${model.slug} has no head L${layer}H${head}: it has layers 0..${model.nLayers - 1} and heads 0..${model.nHeads - 1}`,
    );
  }
  const detail = await loadHeadDetail(model, run, layer, head);
  return sendJson(
    request,
    {
      model: modelJson(model),
      run: runJson(run),
      head: { layer, head, name: detail.name, kvHead: detail.kvHead, page: headPath(model.slug, layer, head, run.id) },
      metrics: detail.metrics.map(({ currentVersion: _current, ...m }) => m),
      pattern: detail.pattern,
    },
    { pinned },
  );
});
