import { z } from 'zod';
import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { headExists } from '@/lib/api/head-data';
import { headExampleJson, headStatsJson } from '@/lib/api/head-examples-json';
import { PAGE_PARAMS, pageOf, parsePage } from '@/lib/api/cursor';
import { indexSchema, modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { HEAD_EXAMPLE_KINDS, getHeadExamples, getHeadStats } from '@/lib/db/head-examples';
import { headPath } from '@/lib/format/paths';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; layer: string; head: string }> };

const kindSchema = z.enum(HEAD_EXAMPLE_KINDS, { error: `must be one of ${HEAD_EXAMPLE_KINDS.join(', ')}` });
const keySchema = z.object({ rank: z.number().int().min(0) });

/**
 * GET /api/v1/models/{model}/heads/{L}/{H}/examples[?kind=top_norm|top_attention|quantile&limit=&cursor=&run=]
 * → the head's max-activating examples of one kind (default top_norm), best first, cursor-paginated, with the
 * distribution of its output norm over the run's corpus.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const slug = parseParam(modelSlugSchema, params.model, 'model');
  const layer = parseParam(indexSchema, params.layer, 'layer');
  const head = parseParam(indexSchema, params.head, 'head');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run', 'kind', ...PAGE_PARAMS]);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const kind = parseOptionalParam(kindSchema, search.get('kind') ?? undefined, 'kind') ?? 'top_norm';
  const page = parsePage(search, { key: keySchema, scope: `head-examples:${layer}.${head}:${kind}`, defaultLimit: 10, maxLimit: 100 });

  const { model, run, pinned } = await requireModelRun(slug, runId);
  if (!headExists(model, layer, head)) {
    throw notFoundError(
      `${model.slug} has no head L${layer}H${head}: it has layers 0..${model.nLayers - 1} and heads 0..${model.nHeads - 1}`,
    );
  }
  const stats = await getHeadStats(run.id, layer, head);
  if (!stats) throw notFoundError(`run ${run.id} has no head examples (it was computed before they existed, or without them)`);
  const rows = await getHeadExamples(run.id, layer, head, { kind, afterRank: page.after?.rank, limit: page.limit + 1 });
  const { items, page: info } = pageOf(request, rows, page, (r) => ({ rank: r.rank }));
  return sendJson(
    request,
    {
      model: modelJson(model),
      run: runJson(run),
      head: { layer, head, page: headPath(model.slug, layer, head, run.id) },
      kind,
      stats: headStatsJson(stats),
      examples: items.map(headExampleJson),
      page: info,
    },
    { pinned },
  );
});
