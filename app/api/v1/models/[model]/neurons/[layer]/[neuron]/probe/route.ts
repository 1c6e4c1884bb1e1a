import { z } from 'zod';
import { badRequest, notFoundError, withApiErrors } from '@/lib/api/errors';
import { siteSchema } from '@/lib/api/neuron-data';
import { indexSchema, modelSlugSchema, parseOptionalParam, parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { readJsonBody } from '@/lib/api/body';
import { takeLiveRun } from '@/lib/api/live-budget';
import { getModel } from '@/lib/db/models';
import { LIVE_LIMITS } from '@/lib/live';
import { probeNeuron, probeSites } from '@/lib/api/neuron-probe';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; layer: string; neuron: string }> };

const bodySchema = z
  .object({
    text: z.string({ error: 'must be a string' }),
    site: siteSchema.optional(),
  })
  .strict();

/**
 * POST /api/v1/models/{model}/neurons/{L}/{N}/probe {text, site?} (or GET ?text=): the neuron's activation on
 * every token of a custom text, run live (BOS prepended, LIVE_LIMITS apply: 413 over the limit, 429 too many
 * requests, 503 busy, 504 slow).
 */
export const POST = withApiErrors(async (request: Request, ctx: Ctx) => {
  const json = await readJsonBody(request, '{"text": "Once upon a time"}');
  return answer(request, ctx, bodySchema.parse(json));
});

export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['text', 'site']);
  const text = search.get('text');
  if (text === null) throw badRequest('text: required (e.g. ?text=Once%20upon%20a%20time)');
  return answer(request, ctx, { text, site: parseOptionalParam(siteSchema, search.get('site') ?? undefined, 'site') });
});

async function answer(request: Request, ctx: Ctx, input: { text: string; site?: 'post' | 'pre' | 'mid' }): Promise<Response> {
  const params = await ctx.params;
  const slug = parseParam(modelSlugSchema, params.model, 'model');
  const layer = parseParam(indexSchema, params.layer, 'layer');
  const neuron = parseParam(indexSchema, params.neuron, 'neuron');
  const model = await getModel(slug);
  if (!model) throw notFoundError(`unknown model "${slug}"; see /api/v1/models for the models available`);
  if (layer >= model.nLayers || neuron >= model.dMlp) {
    throw notFoundError(`${slug} has no neuron L${layer}N${neuron}: layers 0..${model.nLayers - 1}, ${model.dMlp} neurons per layer`);
  }
  // Validation first (413 too long, 400 no such site), then the rate limit, then the engine.
  const site = input.site ?? 'post';
  const sites = probeSites(model);
  if (input.text.length <= LIVE_LIMITS.maxChars && sites.includes(site)) {
    const limited = takeLiveRun(request);
    if (limited) return limited;
  }
  const result = await probeNeuron(model, layer, neuron, site, input.text);
  return Response.json(
    { model: slug, layer, neuron, site, ...result, limits: { maxTokens: LIVE_LIMITS.maxTokens, maxChars: LIVE_LIMITS.maxChars } },
    { headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' } },
  );
}
