import { z } from 'zod';
import { PAGE_PARAMS, pageOf, parsePage } from '@/lib/api/cursor';
import { withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { getCompositionBaselines, listHeadComposition, type CompositionKey } from '@/lib/db/head-composition';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

const kindSchema = z.enum(['q', 'k', 'v'], { error: 'must be "q", "k" or "v"' });
const keySchema: z.ZodType<CompositionKey> = z.object({
  kind: z.enum(['q', 'k', 'v']),
  srcLayer: z.number().int().min(0),
  srcHead: z.number().int().min(0),
  dstLayer: z.number().int().min(0),
  dstHead: z.number().int().min(0),
});

/**
 * GET /api/v1/models/{model}/composition[?kind=q|k|v&run=] → { model, run, kinds: [{ kind, baseline: {mean, std, draws, seed},
 * scores: [{ src: {layer, head}, dst: {layer, head}, value, sigmaAboveBaseline }] }], page } — every pair srcLayer < dstLayer,
 * cursor-paginated over (kind, src, dst): a large model has millions of pairs. A page lists the kinds its scores belong to.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['kind', 'run', ...PAGE_PARAMS]);
  const kind = parseOptionalParam(kindSchema, search.get('kind') ?? undefined, 'kind');
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const page = parsePage(search, { key: keySchema, scope: `composition:${kind ?? 'all'}`, defaultLimit: 10_000, maxLimit: 100_000 });
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const [rows, baselines] = await Promise.all([
    listHeadComposition(run.id, { kind, after: page.after, limit: page.limit + 1 }),
    getCompositionBaselines(run.id),
  ]);
  const { items: scores, page: info } = pageOf(request, rows, page, ({ value: _v, ...key }) => key);
  // Every kind asked for on the first page (an empty kind still shows its baseline); later pages: the kinds they reach.
  const present = new Set(scores.map((s) => s.kind));
  const kinds = (kind ? [kind] : (['q', 'k', 'v'] as const))
    .filter((k) => page.after === undefined || present.has(k))
    .map((k) => {
      const baseline = baselines.find((b) => b.kind === k) ?? null;
      return {
        kind: k,
        baseline: baseline ? { mean: baseline.mean, std: baseline.std, draws: baseline.draws, seed: baseline.seed } : null,
        scores: scores
          .filter((s) => s.kind === k)
          .map((s) => ({
            src: { layer: s.srcLayer, head: s.srcHead },
            dst: { layer: s.dstLayer, head: s.dstHead },
            value: s.value,
            sigmaAboveBaseline: baseline && baseline.std > 0 ? (s.value - baseline.mean) / baseline.std : null,
          })),
      };
    });
  return sendJson(request, { model: modelJson(model), run: runJson(run), kinds, page: info }, { pinned });
});
