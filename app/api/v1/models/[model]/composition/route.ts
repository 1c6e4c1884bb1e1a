import { z } from 'zod';
import { withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { getCompositionBaselines, getHeadComposition } from '@/lib/db/head-composition';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

const kindSchema = z.enum(['q', 'k', 'v'], { error: 'must be "q", "k" or "v"' });

/**
 * GET /api/v1/models/{model}/composition[?kind=q|k|v&run=] → { model, run, kinds: [{ kind, baseline: {mean, std, draws, seed},
 * scores: [{ src: {layer, head}, dst: {layer, head}, value, sigmaAboveBaseline }] }] } — every pair srcLayer < dstLayer.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['kind', 'run']);
  const kind = parseOptionalParam(kindSchema, search.get('kind') ?? undefined, 'kind');
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const [scores, baselines] = await Promise.all([getHeadComposition(run.id, kind), getCompositionBaselines(run.id)]);
  const kinds = (kind ? [kind] : (['q', 'k', 'v'] as const)).map((k) => {
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
  return sendJson(request, { model: modelJson(model), run: runJson(run), kinds }, { pinned });
});
