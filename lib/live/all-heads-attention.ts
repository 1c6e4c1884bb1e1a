/**
 * Every head's attention pattern on a visitor's text in one live forward pass (all layers' hook_pattern): the
 * head grid page (`/models/{model}/attention`).
 */
import { detectionFor, parsePatternSpec } from '@/lib/metrics/heads/custom-pattern';
import { headSimilarityScore, TL_DETECT_HEAD_DEFAULTS } from '@/lib/metrics/heads/detect-head';
import { liveForward, type LiveForwardInput } from './index';
import { LiveError } from './errors';

/** Tokens the grid draws (BOS included): n² cells per head, for every head of the model. */
export const GRID_MAX_TOKENS = 64;

export interface LiveAllHeads {
  tokens: string[];
  /** patterns[layer][head][q][k], k ≤ q. */
  patterns: number[][][][];
  /** With `pattern`: each head's TransformerLens detect_head score against it, scores[layer][head]. */
  scores?: number[][];
}

/**
 * `pattern` (a rule: previous, duplicate, induction, bos, self, offset:k, or a JSON lower-triangular matrix) also
 * scores every head against it, as GET /api/v1/models/{model}/detect does; a bad pattern is a LiveError('input').
 */
export async function liveAllHeadsAttention(
  input: Omit<LiveForwardInput, 'hooks'> & { nLayers: number; pattern?: string },
): Promise<LiveAllHeads> {
  let spec;
  try {
    spec = input.pattern === undefined ? undefined : parsePatternSpec(input.pattern);
  } catch (err) {
    throw new LiveError('input', `pattern: ${err instanceof Error ? err.message : String(err)}`);
  }
  const hooks = Array.from({ length: input.nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const result = await liveForward({ ...input, hooks });
  if (result.tokens.length > GRID_MAX_TOKENS) {
    throw new LiveError(
      'too_long',
      `text too long for the all-heads grid: ${result.tokens.length} tokens; it draws at most ${GRID_MAX_TOKENS} (a head page takes longer texts)`,
    );
  }
  const patterns = hooks.map((hook) => {
    const { shape, data } = result.activations[hook];
    const [, nHeads, seq] = shape;
    return Array.from({ length: nHeads }, (_, h) =>
      Array.from({ length: seq }, (_, q) => Array.from(data.subarray((h * seq + q) * seq, (h * seq + q) * seq + q + 1))),
    );
  });
  if (!spec) return { tokens: result.tokens, patterns };
  let detection;
  try {
    detection = detectionFor(spec, result.tokenIds);
  } catch (err) {
    throw new LiveError('input', `pattern: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scores = hooks.map((hook) => {
    const { shape, data } = result.activations[hook];
    const [, nHeads, seq] = shape;
    return Array.from({ length: nHeads }, (_, h) =>
      headSimilarityScore(data.subarray(h * seq * seq, (h + 1) * seq * seq), detection, seq, TL_DETECT_HEAD_DEFAULTS),
    );
  });
  return { tokens: result.tokens, patterns, scores };
}
