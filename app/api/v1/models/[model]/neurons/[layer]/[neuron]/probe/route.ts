import { z } from 'zod';
import { ApiError, badRequest, notFoundError, withApiErrors } from '@/lib/api/errors';
import { siteSchema } from '@/lib/api/neuron-data';
import { indexSchema, modelSlugSchema, parseParam } from '@/lib/api/params';
import { rateLimit } from '@/lib/api/rate-limit';
import { getModel } from '@/lib/db/models';
import { formatToken } from '@/lib/format/token-display';
import { isLiveError, liveForward, LIVE_LIMITS } from '@/lib/live';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; layer: string; neuron: string }> };

/** Live inference costs a worker's time: a visitor gets this many probes a minute (shared with other live features). */
const LIVE_PER_MINUTE = 30;

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
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    throw badRequest('body: expected JSON such as {"text": "Once upon a time"}');
  }
  return answer(request, ctx, bodySchema.parse(json));
});

export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const search = new URL(request.url).searchParams;
  const text = search.get('text');
  if (text === null) throw badRequest('text: required (e.g. ?text=Once%20upon%20a%20time)');
  return answer(request, ctx, { text, site: search.get('site') ? siteSchema.parse(search.get('site')) : undefined });
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
  if (input.text.length > LIVE_LIMITS.maxChars) {
    throw new ApiError(413, `text too long: ${input.text.length} characters; the limit is ${LIVE_LIMITS.maxChars} characters and ${LIVE_LIMITS.maxTokens} tokens`, {
      limitTokens: LIVE_LIMITS.maxTokens,
      limitChars: LIVE_LIMITS.maxChars,
    });
  }
  const limited = rateLimit(request, { bucket: 'live', perMinute: LIVE_PER_MINUTE });
  if (limited) return limited;
  const site = input.site ?? 'post';
  const hook = `blocks.${layer}.mlp.hook_${site}`;
  try {
    const result = await liveForward({ modelSlug: slug, text: input.text, hooks: [hook] });
    const t = result.activations[hook];
    const d = t.shape[2];
    const acts = result.tokenIds.map((_, p) => t.data[p * d + neuron]);
    return Response.json(
      {
        model: slug,
        layer,
        neuron,
        site,
        hook,
        tokenIds: result.tokenIds,
        tokens: result.tokens.map((piece) => ({ piece, ...formatToken(piece) })),
        acts,
        limits: { maxTokens: LIVE_LIMITS.maxTokens, maxChars: LIVE_LIMITS.maxChars },
      },
      { headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' } },
    );
  } catch (err) {
    if (isLiveError(err)) throw new ApiError(err.status, err.message, err.details);
    throw err;
  }
}
