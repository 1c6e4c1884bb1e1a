/**
 * TransformerLens' head-detector detection patterns (`transformer_lens.head_detector`):
 * the attention a perfect head of each kind would have on a token sequence.
 * Each is a seq×seq 0/1 matrix, row-major (`D[q * seq + k]`), lower triangular like a causal pattern.
 * `tokens` is the sequence as fed to the model, BOS included.
 */

/** TransformerLens' `HeadName`s. */
export type DetectionPatternName = 'previous_token_head' | 'duplicate_token_head' | 'induction_head';

export const DETECTION_PATTERN_NAMES: readonly DetectionPatternName[] = ['previous_token_head', 'duplicate_token_head', 'induction_head'];

/** `D[i, i-1] = 1`: every position attends to the one before it (position 0 has no target). */
export function previousTokenPattern(tokens: readonly number[]): Uint8Array {
  const seq = tokens.length;
  const d = new Uint8Array(seq * seq);
  for (let i = 1; i < seq; i++) d[i * seq + i - 1] = 1;
  return d;
}

/** `D[i, j] = 1` iff `j < i` and `tok[j] == tok[i]`: attend to earlier copies of the current token. */
export function duplicateTokenPattern(tokens: readonly number[]): Uint8Array {
  const seq = tokens.length;
  const d = new Uint8Array(seq * seq);
  for (let i = 0; i < seq; i++) {
    for (let j = 0; j < i; j++) if (tokens[j] === tokens[i]) d[i * seq + j] = 1;
  }
  return d;
}

/**
 * `D[i, j] = 1` iff `1 ≤ j ≤ i` and `tok[j-1] == tok[i]`: attend to the token right after an earlier
 * copy of the current token. TransformerLens builds it as the duplicate pattern rolled one column
 * right, first column zeroed, then `tril` — which keeps `j = i` (when `tok[i-1] == tok[i]`).
 */
export function inductionPattern(tokens: readonly number[]): Uint8Array {
  const seq = tokens.length;
  const d = new Uint8Array(seq * seq);
  for (let i = 0; i < seq; i++) {
    for (let j = 1; j <= i; j++) if (tokens[j - 1] === tokens[i]) d[i * seq + j] = 1;
  }
  return d;
}

export const detectionPatterns: Record<DetectionPatternName, (tokens: readonly number[]) => Uint8Array> = {
  previous_token_head: previousTokenPattern,
  duplicate_token_head: duplicateTokenPattern,
  induction_head: inductionPattern,
};
