import type { Tokenizer } from '../../tokenizers/types';
import type { PromptPair, TaskBuild, TaskBuildOptions } from '../types';
import { pairFromTexts, singleToken, singleTokenProblem } from './words';

/**
 * Factual recall (Meng et al. 2022, ROME): "The Eiffel Tower is located in the city of" → " Paris". The corrupted
 * prompt has another subject of the same token length (so its answer differs); causal tracing instead noises the
 * clean subject's embeddings (lib/circuits/patching/causal-trace.ts). Answer: the subject's city; wrong: the
 * corrupted subject's. Named positions SUBJECT (its tokens; the last is where ROME finds the fact), END.
 */
export const FACTUAL_CITATION = {
  text: 'Meng et al. 2022, Locating and Editing Factual Associations in GPT (ROME)',
  url: 'https://arxiv.org/abs/2202.05262',
};

export const FACTS: Array<[string, string]> = [
  ['The Eiffel Tower', 'Paris'],
  ['The Colosseum', 'Rome'],
  ['Big Ben', 'London'],
  ['The Brandenburg Gate', 'Berlin'],
  ['The Kremlin', 'Moscow'],
  ['The Sagrada Familia', 'Barcelona'],
  ['The Acropolis', 'Athens'],
  ['The Forbidden City', 'Beijing'],
  ['The Space Needle', 'Seattle'],
  ['The Louvre', 'Paris'],
  ['The Vatican', 'Rome'],
  ['The Prado', 'Madrid'],
  ['The Alhambra', 'Granada'],
  ['The Parthenon', 'Athens'],
  ['The Little Mermaid', 'Copenhagen'],
  ['The Atomium', 'Brussels'],
];

export function buildFactualTask(tokenizer: Tokenizer, opts: TaskBuildOptions = {}): TaskBuild {
  const count = opts.count ?? 32;
  const template = (subject: string) => `${subject} is located in the city of`;
  const skipped: string[] = [];
  const facts: Array<{ subject: string; answer: number; length: number }> = [];
  for (const [subject, city] of FACTS) {
    const answer = singleToken(tokenizer, city);
    let length: number;
    try {
      length = tokenizer.encode(template(subject), { bos: true }).length;
    } catch {
      skipped.push(`"${subject}" cannot be tokenized`);
      continue;
    }
    if (answer === null) skipped.push(`"${city}" ${singleTokenProblem(tokenizer, city)}`);
    else facts.push({ subject, answer, length });
  }
  const pairs: PromptPair[] = [];
  for (const a of facts) {
    for (const b of facts) {
      if (pairs.length >= count || a === b || a.length !== b.length || a.answer === b.answer) continue;
      const pair = pairFromTexts(tokenizer, template(a.subject), template(b.subject), a.answer, b.answer, (clean, corrupted) => {
        let last = 0;
        clean.forEach((t, i) => {
          if (t !== corrupted[i]) last = i;
        });
        return last === 0 ? null : { SUBJECT: Array.from({ length: last }, (_, i) => i + 1) };
      });
      if (typeof pair !== 'string') pairs.push(pair);
    }
  }
  if (pairs.length === 0) {
    return { ok: false, kind: 'factual_recall', reason: 'no two facts with single-token answers share a token length', skipped };
  }
  return {
    ok: true,
    task: {
      kind: 'factual_recall',
      name: 'factual_recall',
      description: 'Factual recall: the model completes "<landmark> is located in the city of" with the city.',
      citation: FACTUAL_CITATION,
      metric: 'logit_diff',
      version: 1,
      pairs,
      skipped,
    },
  };
}
