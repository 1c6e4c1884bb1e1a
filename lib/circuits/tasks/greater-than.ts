import type { Tokenizer } from '../../tokenizers/types';
import { makeRng } from '../../sampling/random';
import type { PromptPair, TaskBuild, TaskBuildOptions } from '../types';
import { pairFromTexts, singleToken, singleTokenProblem } from './words';

/**
 * Greater-than (Hanna et al. 2023): "The war lasted from the year 1732 to the year 17" → a two-digit year above 32.
 * Corrupted: the start year "1701" (the paper's 01-dataset, no information about YY). Usable only where every
 * two-digit year is one token after the century token (GPT-2 style); tokenizers that split digits are reported.
 * Answer: the year YY+1..; the wrong token YY−1, so the metric is logit(YY+1) − logit(YY−1) (a single-token
 * simplification of the paper's probability difference, which sums over all years).
 */
export const GREATER_THAN_CITATION = {
  text: 'Hanna et al. 2023, How does GPT-2 compute greater-than?',
  url: 'https://arxiv.org/abs/2305.00586',
};

const NOUNS = ['war', 'drought', 'strike', 'dynasty', 'expedition', 'contract'];

export function buildGreaterThanTask(tokenizer: Tokenizer, opts: TaskBuildOptions = {}): TaskBuild {
  const count = opts.count ?? 32;
  const rng = makeRng(opts.seed ?? 29);
  const twoDigit = (n: number) => String(n).padStart(2, '0');
  const yearIds: number[] = [];
  for (let y = 0; y < 100; y++) {
    const id = singleToken(tokenizer, twoDigit(y));
    if (id === null) {
      return {
        ok: false,
        kind: 'greater_than',
        reason: `the two-digit year "${twoDigit(y)}" ${singleTokenProblem(tokenizer, twoDigit(y))}`,
        skipped: [],
      };
    }
    yearIds.push(id);
  }
  const pairs: PromptPair[] = [];
  const reasons = new Set<string>();
  for (let attempt = 0; pairs.length < count && attempt < count * 4; attempt++) {
    const yy = 2 + rng.int(96);
    const noun = NOUNS[attempt % NOUNS.length];
    const text = (start: string) => `The ${noun} lasted from the year 17${start} to the year 17`;
    const pair = pairFromTexts(tokenizer, text(twoDigit(yy)), text('01'), yearIds[yy + 1], yearIds[yy - 1], (ids) => {
      const at = ids.indexOf(yearIds[yy]);
      return at < 0 ? null : { YY: [at] };
    });
    if (typeof pair === 'string') reasons.add(pair);
    else pairs.push(pair);
  }
  if (pairs.length === 0) return { ok: false, kind: 'greater_than', reason: [...reasons].join('; '), skipped: [] };
  return {
    ok: true,
    task: {
      kind: 'greater_than',
      name: 'greater_than',
      description: 'Greater-than: after "from the year 17YY to the year 17" the model prefers years above YY.',
      citation: GREATER_THAN_CITATION,
      metric: 'logit_diff',
      version: 1,
      pairs,
      skipped: [...reasons],
    },
  };
}
