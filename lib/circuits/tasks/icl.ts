import type { Tokenizer } from '../../tokenizers/types';
import { makeRng } from '../../sampling/random';
import type { PromptPair, TaskBuild, TaskBuildOptions, TaskKind } from '../types';
import { pairFromTexts, singleToken, singleTokenProblem } from './words';

/**
 * Few-shot (in-context) tasks after Todd et al. 2023 (Function Vectors in Large Language Models): demonstrations
 * "hot: cold\nbig: small\n…\nfast:" → " slow". The corrupted prompt shuffles the demonstrations' answers among
 * themselves (the paper's shuffled-label prompts), so the task is no longer shown; answer y_q, wrong x_q (copying
 * the query is the natural competitor). Only pairs whose words are all single tokens are used; the rest are reported.
 * Named positions: DEMO_Y (each demonstration answer), END.
 */
export const ICL_CITATION = {
  text: 'Todd et al. 2023, Function Vectors in Large Language Models',
  url: 'https://arxiv.org/abs/2310.15213',
};

export const ICL_WORD_PAIRS: Record<'icl_antonym' | 'icl_country_capital' | 'icl_english_french', Array<[string, string]>> = {
  icl_antonym: [
    ['hot', 'cold'],
    ['big', 'small'],
    ['fast', 'slow'],
    ['up', 'down'],
    ['good', 'bad'],
    ['old', 'new'],
    ['high', 'low'],
    ['dark', 'light'],
    ['open', 'closed'],
    ['rich', 'poor'],
    ['hard', 'soft'],
    ['early', 'late'],
    ['long', 'short'],
    ['happy', 'sad'],
    ['first', 'last'],
    ['in', 'out'],
  ],
  icl_country_capital: [
    ['France', 'Paris'],
    ['Italy', 'Rome'],
    ['Japan', 'Tokyo'],
    ['Russia', 'Moscow'],
    ['Germany', 'Berlin'],
    ['Spain', 'Madrid'],
    ['England', 'London'],
    ['Egypt', 'Cairo'],
    ['China', 'Beijing'],
    ['Greece', 'Athens'],
    ['Ireland', 'Dublin'],
    ['Austria', 'Vienna'],
    ['Poland', 'Warsaw'],
    ['Canada', 'Ottawa'],
  ],
  icl_english_french: [
    ['cat', 'chat'],
    ['dog', 'chien'],
    ['house', 'maison'],
    ['water', 'eau'],
    ['red', 'rouge'],
    ['black', 'noir'],
    ['day', 'jour'],
    ['night', 'nuit'],
    ['book', 'livre'],
    ['man', 'homme'],
    ['sun', 'soleil'],
    ['bread', 'pain'],
    ['king', 'roi'],
    ['friend', 'ami'],
    ['green', 'vert'],
    ['sea', 'mer'],
  ],
};

const DESCRIPTIONS: Record<keyof typeof ICL_WORD_PAIRS, string> = {
  icl_antonym: 'Antonyms shown by example: the model answers the query word with its opposite.',
  icl_country_capital: 'Country → capital shown by example: the model answers the query country with its capital.',
  icl_english_french: 'English → French shown by example: the model translates the query word.',
};

export function buildIclTask(
  kind: keyof typeof ICL_WORD_PAIRS,
  tokenizer: Tokenizer,
  opts: TaskBuildOptions & { shots?: number } = {},
): TaskBuild {
  const count = opts.count ?? 32;
  const shots = opts.shots ?? 4;
  const rng = makeRng(opts.seed ?? 31);
  const skipped: string[] = [];
  const usable: Array<[string, string, number, number]> = [];
  for (const [x, y] of ICL_WORD_PAIRS[kind]) {
    const xi = singleToken(tokenizer, x);
    const yi = singleToken(tokenizer, y);
    if (xi === null || yi === null || xi === yi) {
      const problems = [x, y].flatMap((w) => {
        const why = singleTokenProblem(tokenizer, w);
        return why ? [`"${w}" ${why}`] : [];
      });
      skipped.push(`"${x}" → "${y}": ${problems.join(', ') || 'the same token'}`);
    } else usable.push([x, y, xi, yi]);
  }
  if (usable.length < shots + 2) {
    return {
      ok: false,
      kind: kind as TaskKind,
      reason: `only ${usable.length} word pairs are single tokens (${shots + 2} needed)`,
      skipped,
    };
  }
  const pairs: PromptPair[] = [];
  const reasons = new Set<string>();
  for (let attempt = 0; pairs.length < count && attempt < count * 4; attempt++) {
    const chosen = new Set<number>();
    while (chosen.size < shots + 1) chosen.add(rng.int(usable.length));
    const items = [...chosen].map((i) => usable[i]);
    const query = items.pop()!;
    // A derangement of the answers (rotation by one): no demonstration keeps its own answer.
    const shuffled = items.map((_, i) => items[(i + 1) % items.length][1]);
    const prompt = (answers: string[]) => items.map(([x], i) => `${x}: ${answers[i]}\n`).join('') + `${query[0]}:`;
    const demoIds = new Set(items.map((it) => it[3]));
    const pair = pairFromTexts(tokenizer, prompt(items.map((it) => it[1])), prompt(shuffled), query[3], query[2], (ids) => {
      const at = ids.flatMap((t, i) => (demoIds.has(t) ? [i] : []));
      return at.length === items.length ? { DEMO_Y: at } : null;
    });
    if (typeof pair === 'string') reasons.add(pair);
    else pairs.push(pair);
  }
  if (pairs.length === 0) return { ok: false, kind: kind as TaskKind, reason: [...reasons].join('; '), skipped };
  return {
    ok: true,
    task: { kind, name: kind, description: DESCRIPTIONS[kind], citation: ICL_CITATION, metric: 'logit_diff', version: 1, pairs, skipped },
  };
}
