import { z } from 'zod';
import { ApiError, badRequest, notFoundError, withApiErrors } from '@/lib/api/errors';
import { indexSchema, modelSlugSchema, parseOptionalParam, parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { readJsonBody } from '@/lib/api/body';
import { takeLiveRun } from '@/lib/api/live-budget';
import { getModel } from '@/lib/db/models';
import { formatToken } from '@/lib/format/token-display';
import { isLiveError, LIVE_LIMITS } from '@/lib/live';
import { liveHeadAttention } from '@/lib/live/head-attention';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

const bodySchema = z
  .object({
    text: z.string({ error: 'must be a string' }),
    layer: z.number({ error: 'must be a non-negative integer' }).int().min(0),
    head: z.number().int().min(0).optional(),
  })
  .strict();

/**
 * GET /api/v1/models/{model}/attention?text=…&layer=L[&head=H] and POST {text, layer, head?}: the attention
 * pattern of layer L's heads (or head H) on custom text, run live (BOS prepended). Text is limited to
 * LIVE_LIMITS.maxTokens tokens (413 naming the limit); a busy server answers 503, a slow run 504.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['text', 'layer', 'head']);
  const text = search.get('text');
  if (text === null) throw badRequest('text: required (the text to run, e.g. ?text=Once%20upon%20a%20time&layer=0)');
  const layer = parseParam(indexSchema, search.get('layer') ?? undefined, 'layer');
  const head = parseOptionalParam(indexSchema, search.get('head') ?? undefined, 'head');
  return answer(request, ctx, { text, layer, head });
});

export const POST = withApiErrors(async (request: Request, ctx: Ctx) => {
  const json = await readJsonBody(request, '{"text": "Once upon a time", "layer": 0, "head": 3}');
  return answer(request, ctx, bodySchema.parse(json));
});

async function answer(request: Request, ctx: Ctx, input: { text: string; layer: number; head?: number }): Promise<Response> {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const model = await getModel(slug);
  if (!model) throw notFoundError(`unknown model "${slug}"; see /api/v1/models for the models available`);
  if (input.layer >= model.nLayers) throw notFoundError(`${slug} has layers 0..${model.nLayers - 1}; got layer ${input.layer}`);
  if (input.head !== undefined && input.head >= model.nHeads) {
    throw notFoundError(`${slug} has heads 0..${model.nHeads - 1}; got head ${input.head}`);
  }
  // Checked before the rate limit: a malformed request costs the visitor nothing.
  if (input.text.length > LIVE_LIMITS.maxChars) {
    throw new ApiError(
      413,
      `text too long: ${input.text.length} characters; the limit is ${LIVE_LIMITS.maxChars} characters and ${LIVE_LIMITS.maxTokens} tokens`,
      {
        limitTokens: LIVE_LIMITS.maxTokens,
        limitChars: LIVE_LIMITS.maxChars,
      },
    );
  }
  const limited = takeLiveRun(request);
  if (limited) return limited;
  try {
    const result = await liveHeadAttention({ modelSlug: slug, text: input.text, layer: input.layer, head: input.head });
    return Response.json(
      {
        model: slug,
        layer: result.layer,
        tokenIds: result.tokenIds,
        tokens: result.tokens.map((piece) => ({ piece, ...formatToken(piece) })),
        heads: result.heads,
        limits: { maxTokens: LIVE_LIMITS.maxTokens, maxChars: LIVE_LIMITS.maxChars },
      },
      { headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' } },
    );
  } catch (err) {
    if (isLiveError(err) && err.status < 500) throw new ApiError(err.status, err.message, err.details);
    if (isLiveError(err) && (err.kind === 'busy' || err.kind === 'timeout')) throw new ApiError(err.status, err.message, err.details);
    throw err;
  }
}
