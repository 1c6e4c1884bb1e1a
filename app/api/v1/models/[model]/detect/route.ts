import { ApiError, badRequest, notFoundError, withApiErrors } from '@/lib/api/errors';
import { modelSlugSchema, parseParam } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { takeLiveRun } from '@/lib/api/live-budget';
import { getModel } from '@/lib/db/models';
import { isLiveError, LIVE_LIMITS, liveForward } from '@/lib/live';
import { detectionFor, parsePatternSpec, PATTERN_SPEC_HELP } from '@/lib/metrics/heads/custom-pattern';
import { headSimilarityScore } from '@/lib/metrics/heads/detect-head';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

const flag = (v: string | null, name: string): boolean => {
  if (v === null || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw badRequest(`${name}: must be true or false`);
};

/**
 * GET /api/v1/models/{model}/detect?pattern=<rule|JSON matrix>&text=…[&error_measure=mul|abs&exclude_bos=&exclude_current_token=]
 * → { model, pattern, tokens, heads: [{ layer, head, score }] } sorted by score: every head scored against a custom detection
 * pattern on the text (TransformerLens detect_head), run live with the live-inference limits.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const slug = parseParam(modelSlugSchema, (await ctx.params).model, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['pattern', 'text', 'error_measure', 'exclude_bos', 'exclude_current_token']);
  const patternText = search.get('pattern');
  const text = search.get('text');
  if (patternText === null) throw badRequest(`pattern: required, ${PATTERN_SPEC_HELP}`);
  if (text === null || text.trim() === '') throw badRequest('text: required (the text to score the heads on)');
  let spec;
  try {
    spec = parsePatternSpec(patternText);
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err));
  }
  const errorMeasure = search.get('error_measure') ?? 'mul';
  if (errorMeasure !== 'mul' && errorMeasure !== 'abs') throw badRequest('error_measure: must be "mul" or "abs"');
  const options = {
    errorMeasure,
    excludeBos: flag(search.get('exclude_bos'), 'exclude_bos'),
    excludeCurrentToken: flag(search.get('exclude_current_token'), 'exclude_current_token'),
  } as const;
  const model = await getModel(slug);
  if (!model) throw notFoundError(`unknown model "${slug}"; see /api/v1/models for the models available`);
  if (text.length > LIVE_LIMITS.maxChars) {
    throw new ApiError(
      413,
      `text too long: ${text.length} characters; the limit is ${LIVE_LIMITS.maxChars} characters and ${LIVE_LIMITS.maxTokens} tokens`,
    );
  }
  const limited = takeLiveRun(request);
  if (limited) return limited;
  try {
    const hooks = Array.from({ length: model.nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
    const result = await liveForward({ modelSlug: slug, text, hooks });
    const seq = result.tokenIds.length;
    if (seq < 2) throw badRequest('text: needs at least one token after BOS');
    let detection;
    try {
      detection = detectionFor(spec, result.tokenIds);
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err));
    }
    const heads: { layer: number; head: number; score: number }[] = [];
    hooks.forEach((hook, layer) => {
      const data = result.activations[hook].data;
      for (let head = 0; head < model.nHeads; head++) {
        heads.push({
          layer,
          head,
          score: headSimilarityScore(data.subarray(head * seq * seq, (head + 1) * seq * seq), detection, seq, options),
        });
      }
    });
    heads.sort((a, b) => b.score - a.score);
    return Response.json(
      { model: slug, pattern: patternText, options, tokens: result.tokens, heads },
      { headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' } },
    );
  } catch (err) {
    if (isLiveError(err) && err.status < 500) throw new ApiError(err.status, err.message, err.details);
    if (isLiveError(err) && (err.kind === 'busy' || err.kind === 'timeout')) throw new ApiError(err.status, err.message, err.details);
    throw err;
  }
});
