import type { Tokenizer } from '../../tokenizers/types';
import { makeRng, randomTokens } from '../../sampling/random';
import type { PromptPair, TaskBuild, TaskBuildOptions } from '../types';

/**
 * Induction on repeated random tokens (Olsson et al. 2022): BOS r1..rn r1..rk, where an induction head predicts
 * r(k+1) by attending to the token after the earlier copy of rk. The corrupted prompt replaces the first half
 * with other random tokens (nothing to copy from), the wrong token is the corrupted first half's r'(k+1).
 * Named positions: SOURCE (r(k+1) in the first half, where an induction head attends), PREV_COPY (rk there).
 */
export const INDUCTION_CITATION = {
  text: 'Olsson et al. 2022, In-context Learning and Induction Heads',
  url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html',
};

export function buildInductionTask(tokenizer: Tokenizer, opts: TaskBuildOptions & { half?: number } = {}): TaskBuild {
  const count = opts.count ?? 32;
  const half = opts.half ?? 10;
  const rng = makeRng(opts.seed ?? 23);
  if (tokenizer.vocabSize - tokenizer.specialIds.size < 2 * half + 2) {
    return { ok: false, kind: 'induction', reason: 'vocabulary too small for distinct random tokens', skipped: [] };
  }
  const pairs: PromptPair[] = [];
  while (pairs.length < count) {
    const drawn = randomTokens(rng, 2 * half + 1, tokenizer.vocabSize, tokenizer.specialIds);
    if (new Set(drawn).size !== drawn.length) continue; // distinct tokens: exactly one earlier copy to attend to
    const first = drawn.slice(0, half);
    const other = drawn.slice(half, 2 * half);
    // The query sits 2 tokens before the end of the second copy: every prompt has the same length (one batch shape).
    const k = half - 2;
    const clean = [tokenizer.bosId, ...first, ...first.slice(0, k)];
    const corrupted = [tokenizer.bosId, ...other, ...first.slice(0, k)];
    pairs.push({
      clean,
      corrupted,
      answer: first[k],
      wrong: other[k],
      positions: { SOURCE: [1 + k], PREV_COPY: [k], END: [clean.length - 1] },
    });
  }
  return {
    ok: true,
    task: {
      kind: 'induction',
      name: 'induction',
      description: 'Repeated random tokens: the model continues the second copy of a sequence from the first.',
      citation: INDUCTION_CITATION,
      metric: 'logit_diff',
      version: 1,
      pairs,
      skipped: [],
    },
  };
}
