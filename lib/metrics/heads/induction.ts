import type { ForwardRunner } from '../../engine/types';
import type { Tokenizer } from '../../tokenizers/types';
import type { HeadMetric, HeadMetricContext } from './types';
import { REPEATED_TOKENS_DEFAULTS, repeatedRandomTokens } from './repeated-tokens';

/**
 * Induction on repeated random tokens `[BOS] + r + r` (|r| = n): a head that attends from each token of
 * the second copy to the token *after* its earlier occurrence is doing induction (Olsson et al. 2022).
 */

/**
 * Exact score on one sequence: mean over the second copy's positions d ∈ [n+1, 2n] of A[d, d − n + 1].
 * `pattern` is the head's seq×seq attention, row-major, seq = 2n + 1.
 */
export function inductionStripeScore(pattern: ArrayLike<number>, seqLen: number, n: number): number {
  assertRepeatedShape(pattern, seqLen, n);
  let sum = 0;
  for (let d = n + 1; d <= 2 * n; d++) sum += pattern[d * seqLen + d - n + 1];
  return sum / n;
}

/**
 * TransformerLens demos' score on one sequence: mean of `A.diagonal(1 − n)`, i.e. A[i, i + 1 − n] for
 * i ∈ [n − 1, 2n] — the n induction entries plus A[n−1, 0] and A[n, 1], which are not induction.
 */
export function tlInductionStripeScore(pattern: ArrayLike<number>, seqLen: number, n: number): number {
  assertRepeatedShape(pattern, seqLen, n);
  let sum = 0;
  for (let i = n - 1; i < seqLen; i++) sum += pattern[i * seqLen + i + 1 - n];
  return sum / (seqLen - n + 1);
}

function assertRepeatedShape(pattern: ArrayLike<number>, seqLen: number, n: number): void {
  if (seqLen !== 2 * n + 1) throw new Error(`induction stripe: seq_len ${seqLen} is not 2n + 1 for n = ${n} ([BOS] + r + r)`);
  if (pattern.length !== seqLen * seqLen) {
    throw new Error(`induction stripe: pattern has ${pattern.length} entries; expected ${seqLen}² = ${seqLen * seqLen}`);
  }
}

export interface RepeatedTokenScores {
  /** result[layer][head], mean over the batch. */
  induction: number[][];
  inductionTl: number[][];
  nTokens: number;
}

/**
 * Both induction scores from one forward pass over the seeded batch, memoised per
 * (runner, tokenizer, seed) so that the exact and TransformerLens variants share it.
 */
const memo = new WeakMap<ForwardRunner, WeakMap<Tokenizer, Map<string, Promise<RepeatedTokenScores>>>>();

export function repeatedTokenScores(ctx: Pick<HeadMetricContext, 'cfg' | 'runner' | 'tokenizer' | 'seed'>): Promise<RepeatedTokenScores> {
  let byTokenizer = memo.get(ctx.runner);
  if (!byTokenizer) memo.set(ctx.runner, (byTokenizer = new WeakMap()));
  let bySeed = byTokenizer.get(ctx.tokenizer);
  if (!bySeed) byTokenizer.set(ctx.tokenizer, (bySeed = new Map()));
  const key = `${ctx.seed}:${ctx.cfg.n_ctx}:${ctx.cfg.d_vocab}`;
  let scores = bySeed.get(key);
  if (!scores) {
    scores = computeRepeatedTokenScores(ctx);
    const cache = bySeed;
    scores.catch(() => cache.delete(key));
    bySeed.set(key, scores);
  }
  return scores;
}

async function computeRepeatedTokenScores(
  ctx: Pick<HeadMetricContext, 'cfg' | 'runner' | 'tokenizer' | 'seed'>,
): Promise<RepeatedTokenScores> {
  const { cfg } = ctx;
  const { tokens, nTokens } = repeatedRandomTokens({
    tokenizer: ctx.tokenizer,
    dVocab: cfg.d_vocab,
    nCtx: cfg.n_ctx,
    seed: ctx.seed,
    nTokens: REPEATED_TOKENS_DEFAULTS.nTokens,
    batch: REPEATED_TOKENS_DEFAULTS.batch,
  });
  const seqLen = 2 * nTokens + 1;
  const hooks = Array.from({ length: cfg.n_layers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const cache = await ctx.runner.run(tokens, hooks);

  const induction: number[][] = [];
  const inductionTl: number[][] = [];
  for (let l = 0; l < cfg.n_layers; l++) {
    const pattern = cache.get(hooks[l]);
    const expected = [tokens.length, cfg.n_heads, seqLen, seqLen];
    if (!pattern || pattern.shape.join() !== expected.join()) {
      throw new Error(
        `runner returned ${hooks[l]} with shape [${pattern?.shape.join(', ') ?? 'missing'}]; expected [${expected.join(', ')}]`,
      );
    }
    induction.push([]);
    inductionTl.push([]);
    for (let h = 0; h < cfg.n_heads; h++) {
      let exact = 0;
      let tl = 0;
      for (let b = 0; b < tokens.length; b++) {
        const offset = (b * cfg.n_heads + h) * seqLen * seqLen;
        const head = pattern.data.subarray(offset, offset + seqLen * seqLen);
        exact += inductionStripeScore(head, seqLen, nTokens);
        tl += tlInductionStripeScore(head, seqLen, nTokens);
      }
      induction[l].push(exact / tokens.length);
      inductionTl[l].push(tl / tokens.length);
    }
  }
  return { induction, inductionTl, nTokens };
}

export const inductionMetric: HeadMetric = {
  id: 'induction',
  title: 'Induction',
  summary: 'How much the head attends from a repeated token to the token that followed its earlier occurrence, on repeated random tokens.',
  definition:
    'Input: a batch of 10 sequences [BOS] + r + r, where r is n = 50 token ids drawn uniformly with replacement from the ' +
    "tokenizer's non-special ids (mulberry32 seeded with the run's seed; n = min(50, ⌊(n_ctx − 1)/2⌋) for short contexts). " +
    "Score: the mean over sequences and over the second copy's positions d ∈ [n+1, 2n] of A[d, d − n + 1], the attention from " +
    "a token to the token right after its earlier occurrence. Exact: unlike the TransformerLens demos' diagonal (induction_tl), " +
    'it averages only induction entries.',
  citation: {
    text: 'Olsson et al. 2022, "In-context Learning and Induction Heads", Transformer Circuits Thread (induction heads; repeated random tokens)',
    url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html',
  },
  range: [0, 1],
  version: 1,
  needs: 'random-tokens',
  compute: async (ctx) => (await repeatedTokenScores(ctx)).induction,
};
