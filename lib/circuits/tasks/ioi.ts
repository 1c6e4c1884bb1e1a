import type { Tokenizer } from '../../tokenizers/types';
import { makeRng } from '../../sampling/random';
import type { PromptPair, TaskBuild, TaskBuildOptions } from '../types';
import { pairFromTexts, positionsOf, singleToken, singleTokenProblem } from './words';

/**
 * Indirect object identification (Wang et al. 2022): "When Mary and John went to the store, John gave a drink to"
 * → " Mary". BABA and ABBA templates (the subject S first or second); the corrupted prompt is the paper's p_ABC:
 * the same sentence with IO, S1 and S2 replaced by three other names, so the name information is gone but the
 * structure stays. Answer IO, wrong S; metric logit(IO) − logit(S). Named positions IO, S1, S2, END.
 */
export const IOI_NAMES = [
  'Mary',
  'John',
  'Alice',
  'Bob',
  'Tom',
  'James',
  'Sarah',
  'David',
  'Anna',
  'Paul',
  'Kate',
  'Mark',
  'Lisa',
  'Peter',
  'Emma',
  'Jack',
  'Lucy',
  'Sam',
  'Max',
  'Ben',
];

/** Templates with [A] [B] = the first two names and [S] the repeated one; every other word is fixed. */
export const IOI_TEMPLATES = [
  'When [A] and [B] went to the store, [S] gave a drink to',
  'Then, [A] and [B] went to the park. [S] gave a ball to',
  'After [A] and [B] went to the school, [S] gave a book to',
  'When [A] and [B] got a drink at the store, [S] gave it to',
];

export const IOI_CITATION = {
  text: 'Wang et al. 2022, Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small',
  url: 'https://arxiv.org/abs/2211.00593',
};

function fill(template: string, a: string, b: string, s: string): string {
  return template.replace('[A]', a).replace('[B]', b).replace('[S]', s);
}

export function buildIoiTask(tokenizer: Tokenizer, opts: TaskBuildOptions = {}): TaskBuild {
  const count = opts.count ?? 32;
  const rng = makeRng(opts.seed ?? 19);
  const skipped = IOI_NAMES.filter((n) => singleToken(tokenizer, n) === null).map((n) => `name "${n}" ${singleTokenProblem(tokenizer, n)}`);
  const names = IOI_NAMES.filter((n) => singleToken(tokenizer, n) !== null);
  if (names.length < 5)
    return { ok: false, kind: 'ioi', reason: `only ${names.length} of the names are single tokens (5 needed)`, skipped };
  const pairs: PromptPair[] = [];
  const reasons = new Set<string>();
  for (let attempt = 0; pairs.length < count && attempt < count * 4; attempt++) {
    const pick = new Set<string>();
    while (pick.size < 5) pick.add(names[rng.int(names.length)]);
    const [io, s, c1, c2, c3] = [...pick];
    const template = IOI_TEMPLATES[attempt % IOI_TEMPLATES.length];
    // Alternate ABBA (IO first) and BABA (S first), as the paper's dataset does.
    const abba = attempt % 2 === 0;
    const clean = abba ? fill(template, io, s, s) : fill(template, s, io, s);
    const corrupted = fill(template, c1, c2, c3);
    const ioId = singleToken(tokenizer, io)!;
    const sId = singleToken(tokenizer, s)!;
    const pair = pairFromTexts(tokenizer, clean, corrupted, ioId, sId, (ids) => {
      const ioAt = positionsOf(ids, ioId);
      const sAt = positionsOf(ids, sId);
      if (ioAt.length !== 1 || sAt.length !== 2) return null;
      return { IO: ioAt, S1: [sAt[0]], S2: [sAt[1]] };
    });
    if (typeof pair === 'string') reasons.add(pair);
    else pairs.push(pair);
  }
  if (pairs.length === 0) return { ok: false, kind: 'ioi', reason: `no template tokenizes as needed: ${[...reasons].join('; ')}`, skipped };
  return {
    ok: true,
    task: {
      kind: 'ioi',
      name: 'ioi',
      description: 'Indirect object identification: the model completes the sentence with the name that is not repeated.',
      citation: IOI_CITATION,
      metric: 'logit_diff',
      version: 1,
      pairs,
      skipped: [...skipped, ...[...reasons].map((r) => `template: ${r}`)],
    },
  };
}
