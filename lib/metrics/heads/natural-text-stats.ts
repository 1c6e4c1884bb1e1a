import type { ModelConfig } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';
import type { Tokenizer } from '../../tokenizers/types';
import { detectorTokens } from './detect-head';

/**
 * Attention statistics on natural text (as Neuronpedia's head pages show them), all from one forward
 * pass over the run's texts (tokenized like the pattern detectors: BOS prepended, ≤ 128 tokens).
 * Pooled over every query position q ≥ 1 of every text (position 0 can only attend to itself).
 */
export interface NaturalTextStats {
  selfAttention: number[][];
  previousToken: number[][];
  /** Nats. */
  entropy: number[][];
  distanceMean: number[][];
  distanceVariance: number[][];
  induction: number[][];
  /** How many query positions the induction statistic averaged over (queries with an earlier repeat). */
  inductionQueries: number;
}

/** Induction entries below this are dropped (Neuronpedia's threshold): diffuse attention is not induction. */
export const NATURAL_INDUCTION_MIN_ATTENTION = 0.01;

/** One head on one sequence: accumulates into `acc` (sums; divided at the end). */
export function accumulateHeadStats(
  pattern: ArrayLike<number>,
  tokens: readonly number[],
  acc: { self: number; prev: number; entropy: number; mean: number; variance: number; induction: number },
): void {
  const seq = tokens.length;
  for (let q = 1; q < seq; q++) {
    const row = q * seq;
    acc.self += pattern[row + q];
    acc.prev += pattern[row + q - 1];
    let h = 0;
    let m1 = 0;
    let m2 = 0;
    for (let k = 0; k <= q; k++) {
      const a = pattern[row + k];
      if (a > 0) h -= a * Math.log(a);
      m1 += a * (q - k);
      m2 += a * (q - k) * (q - k);
    }
    acc.entropy += h;
    acc.mean += m1;
    acc.variance += Math.max(0, m2 - m1 * m1);
    for (let j = 1; j <= q; j++) {
      if (tokens[j - 1] === tokens[q]) {
        const a = pattern[row + j];
        if (a >= NATURAL_INDUCTION_MIN_ATTENTION) acc.induction += a;
      }
    }
  }
}

/** Query positions q ≥ 1 whose token occurred earlier in the sequence. */
export function queriesWithEarlierRepeat(tokens: readonly number[]): number {
  const seen = new Set<number>([tokens[0]]);
  let count = 0;
  for (let q = 1; q < tokens.length; q++) {
    if (seen.has(tokens[q])) count++;
    seen.add(tokens[q]);
  }
  return count;
}

export async function computeNaturalTextStats(
  runner: ForwardRunner,
  cfg: ModelConfig,
  sequences: readonly number[][],
): Promise<NaturalTextStats> {
  const { n_layers: nLayers, n_heads: nHeads } = cfg;
  const acc = Array.from({ length: nLayers * nHeads }, () => ({ self: 0, prev: 0, entropy: 0, mean: 0, variance: 0, induction: 0 }));
  const hooks = Array.from({ length: nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  let queries = 0;
  let inductionQueries = 0;
  const byLength = new Map<number, number[][]>();
  for (const s of sequences) byLength.set(s.length, [...(byLength.get(s.length) ?? []), s]);
  for (const [seq, group] of byLength) {
    const batchSize = Math.max(1, Math.floor((1 << 24) / (nLayers * nHeads * seq * seq)));
    for (let start = 0; start < group.length; start += batchSize) {
      const batch = group.slice(start, start + batchSize);
      const cache = await runner.run(batch, hooks);
      batch.forEach((tokens, b) => {
        queries += seq - 1;
        inductionQueries += queriesWithEarlierRepeat(tokens);
        for (let l = 0; l < nLayers; l++) {
          const pattern = cache.get(hooks[l]);
          if (!pattern) throw new Error(`runner returned no ${hooks[l]}`);
          for (let h = 0; h < nHeads; h++) {
            const offset = (b * nHeads + h) * seq * seq;
            accumulateHeadStats(pattern.data.subarray(offset, offset + seq * seq), tokens, acc[l * nHeads + h]);
          }
        }
      });
    }
  }
  const grid = (f: (a: (typeof acc)[number]) => number) =>
    Array.from({ length: nLayers }, (_, l) => Array.from({ length: nHeads }, (_, h) => f(acc[l * nHeads + h])));
  const perQuery = (x: number) => (queries === 0 ? 0 : x / queries);
  return {
    selfAttention: grid((a) => perQuery(a.self)),
    previousToken: grid((a) => perQuery(a.prev)),
    entropy: grid((a) => perQuery(a.entropy)),
    distanceMean: grid((a) => perQuery(a.mean)),
    distanceVariance: grid((a) => perQuery(a.variance)),
    induction: grid((a) => (inductionQueries === 0 ? 0 : a.induction / inductionQueries)),
    inductionQueries,
  };
}

/** Memoised per (runner, tokenizer, texts): the six natural-text metrics share one pass. */
const memo = new WeakMap<ForwardRunner, WeakMap<Tokenizer, WeakMap<readonly string[], Promise<NaturalTextStats>>>>();

export function naturalTextStats(ctx: {
  cfg: ModelConfig;
  runner: ForwardRunner;
  tokenizer: Tokenizer;
  texts: readonly string[];
}): Promise<NaturalTextStats> {
  let byTokenizer = memo.get(ctx.runner);
  if (!byTokenizer) memo.set(ctx.runner, (byTokenizer = new WeakMap()));
  let byTexts = byTokenizer.get(ctx.tokenizer);
  if (!byTexts) byTokenizer.set(ctx.tokenizer, (byTexts = new WeakMap()));
  let stats = byTexts.get(ctx.texts);
  if (!stats) {
    stats = (async () => computeNaturalTextStats(ctx.runner, ctx.cfg, detectorTokens(ctx.tokenizer, ctx.texts, ctx.cfg.n_ctx)))();
    const cache = byTexts;
    const texts = ctx.texts;
    stats.catch(() => cache.delete(texts));
    byTexts.set(ctx.texts, stats);
  }
  return stats;
}

/** The common text of the natural-text metrics' definitions. */
export const NATURAL_TEXT_INPUT =
  "Input: the run's natural texts, each tokenized with BOS prepended and cut to min(128, n_ctx − 1) tokens (as the pattern " +
  'detectors). Averaged over every query position q ≥ 1 of every text, pooled (position 0 can only attend to itself).';

export const NEURONPEDIA_CITATION = {
  text: 'Neuronpedia attention-head pages (natural-text attention statistics); Olsson et al. 2022 for induction on natural text',
  url: 'https://www.neuronpedia.org/',
};
