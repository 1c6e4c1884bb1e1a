import type { HeadMetric, HeadMetricContext } from './types';
import { makeRng, randomTokens } from '../../sampling/random';
import { perHead } from './head-weights';

/**
 * Prefix matching (Olsson et al. 2022): on `[BOS] + r × k` (k ≥ 2 copies of n random tokens), how much
 * attention a token in a later copy puts on the tokens that followed *every* earlier occurrence of it.
 */
export const PREFIX_MATCHING_DEFAULTS = { copies: 3, nTokens: 50, batch: 10 } as const;

export function repeatedKTimes(ctx: Pick<HeadMetricContext, 'cfg' | 'tokenizer' | 'seed'>, copies: number, wanted: number, batch: number) {
  if (!Number.isInteger(copies) || copies < 2) throw new Error(`prefix matching needs k ≥ 2 copies; got ${copies}`);
  const nTokens = Math.min(wanted, Math.floor((ctx.cfg.n_ctx - 1) / copies));
  if (nTokens < 2) throw new Error(`prefix matching: n_ctx ${ctx.cfg.n_ctx} is too short for [BOS] + ${copies} copies of ≥ 2 tokens`);
  const vocab = Math.min(ctx.tokenizer.vocabSize, ctx.cfg.d_vocab);
  const rng = makeRng(ctx.seed);
  const tokens = Array.from({ length: batch }, () => {
    const r = randomTokens(rng, nTokens, vocab, ctx.tokenizer.specialIds);
    return [ctx.tokenizer.bosId, ...Array.from({ length: copies }, () => r).flat()];
  });
  return { tokens, nTokens };
}

/**
 * One head on one sequence: the mean over positions d of copies 2..k (d ∈ [n+1, k·n]) of
 * Σ_{j ≥ 1, d − j·n ≥ 1} A[d, d − j·n + 1]. `pattern` is seq×seq row-major, seq = k·n + 1.
 */
export function prefixMatchingScore(pattern: ArrayLike<number>, seqLen: number, n: number, copies: number): number {
  if (seqLen !== copies * n + 1) throw new Error(`prefix matching: seq_len ${seqLen} is not k·n + 1 (k ${copies}, n ${n})`);
  let sum = 0;
  for (let d = n + 1; d <= copies * n; d++) {
    for (let earlier = d - n; earlier >= 1; earlier -= n) sum += pattern[d * seqLen + earlier + 1];
  }
  return sum / ((copies - 1) * n);
}

export const prefixMatchingMetric: HeadMetric = {
  id: 'prefix_matching',
  title: 'Prefix matching',
  summary: 'Attention from a token to the tokens that followed all its earlier occurrences, on random tokens repeated three times.',
  definition:
    'Input: 10 sequences [BOS] + r + r + r (k = 3 copies), r = n = min(50, ⌊(n_ctx − 1)/3⌋) random non-special token ids ' +
    "(mulberry32 seeded with the run's seed). Score: the mean over sequences and over the positions d of copies 2..k of " +
    'Σ_j A[d, d − j·n + 1] over every earlier occurrence d − j·n ≥ 1 (the total attention on the tokens after earlier copies). ' +
    'A perfect induction / prefix-matching head scores 1.',
  citation: {
    text: 'Olsson et al. 2022, "In-context Learning and Induction Heads", section "Prefix matching" (repeated random tokens)',
    url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html',
  },
  range: [0, 1],
  version: 1,
  needs: 'random-tokens',
  compute: async (ctx) => {
    const { copies, nTokens: wanted, batch } = PREFIX_MATCHING_DEFAULTS;
    const { tokens, nTokens } = repeatedKTimes(ctx, copies, wanted, batch);
    const seqLen = copies * nTokens + 1;
    const hooks = Array.from({ length: ctx.cfg.n_layers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
    const cache = await ctx.runner.run(tokens, hooks);
    return perHead(ctx.cfg, (l, h) => {
      const pattern = cache.get(hooks[l]);
      if (!pattern) throw new Error(`runner returned no ${hooks[l]}`);
      let sum = 0;
      for (let b = 0; b < tokens.length; b++) {
        const offset = (b * ctx.cfg.n_heads + h) * seqLen * seqLen;
        sum += prefixMatchingScore(pattern.data.subarray(offset, offset + seqLen * seqLen), seqLen, nTokens, copies);
      }
      return sum / tokens.length;
    });
  },
};
