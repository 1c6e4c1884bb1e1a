import type { Tokenizer } from '../../tokenizers/types';
import type { MetricKind, PromptPair, TaskBuild } from '../types';
import { isWordToken, singleToken, singleTokenProblem } from './words';

/**
 * User tasks as JSONL, one prompt pair per line: {"clean": "...", "corrupted": "...", "answer": " Mary", "wrong": " John"}.
 * The texts are only tokenized (never evaluated or rendered here). Every problem is a TaskInputError naming the line
 * and the field, so the CLI and API can answer 400 with it; nothing is half-loaded.
 */
export class TaskInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskInputError';
  }
}

export const USER_TASK_LIMITS = { maxLines: 2000, maxTextChars: 4096, maxBytes: 4 * 1024 * 1024 } as const;

const FIELDS = ['clean', 'corrupted', 'answer', 'wrong'] as const;

/** The answer or wrong token: the text as one token (" Mary" or "Mary"), else an error naming what it became. */
function answerToken(tokenizer: Tokenizer, text: string, where: string): number {
  let ids: number[];
  try {
    ids = tokenizer.encode(text);
  } catch (e) {
    throw new TaskInputError(`${where}: cannot tokenize (${(e as Error).message})`);
  }
  if (ids.length === 1 && isWordToken(tokenizer, ids[0], text)) return ids[0];
  const single = singleToken(tokenizer, text.trimStart());
  if (single !== null) return single;
  const problem = singleTokenProblem(tokenizer, text.trimStart());
  if (ids.length === 1 || problem?.startsWith('is the tokenizer'))
    throw new TaskInputError(`${where}: ${JSON.stringify(text)} ${problem}; answers must be one known token`);
  throw new TaskInputError(`${where}: ${JSON.stringify(text)} is ${ids.length} tokens; answers must be one token`);
}

export function parseUserTasks(jsonl: string, tokenizer: Tokenizer, opts: { name: string; metric?: MetricKind }): TaskBuild {
  if (typeof jsonl !== 'string') throw new TaskInputError('task file: expected text');
  if (jsonl.length > USER_TASK_LIMITS.maxBytes) throw new TaskInputError(`task file: larger than ${USER_TASK_LIMITS.maxBytes} bytes`);
  if (!/^[\w.-]{1,64}$/.test(opts.name)) throw new TaskInputError('task name: 1–64 letters, digits, "_", "-" or "."');
  const lines = jsonl.split('\n');
  const pairs: PromptPair[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `line ${i + 1}`;
    if (pairs.length >= USER_TASK_LIMITS.maxLines)
      throw new TaskInputError(`${where}: more than ${USER_TASK_LIMITS.maxLines} prompt pairs`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new TaskInputError(`${where}: not JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TaskInputError(`${where}: expected an object`);
    const record = value as Record<string, unknown>;
    for (const f of FIELDS) {
      const v = record[f];
      if (typeof v !== 'string' || v.length === 0) throw new TaskInputError(`${where}: "${f}" must be a non-empty string`);
      if (v.length > USER_TASK_LIMITS.maxTextChars)
        throw new TaskInputError(`${where}: "${f}" is longer than ${USER_TASK_LIMITS.maxTextChars} characters`);
      if (v.includes('\u0000')) throw new TaskInputError(`${where}: "${f}" contains a NUL character`);
    }
    const extra = Object.keys(record).filter((k) => !(FIELDS as readonly string[]).includes(k));
    if (extra.length > 0) throw new TaskInputError(`${where}: unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    const { clean, corrupted, answer, wrong } = record as Record<(typeof FIELDS)[number], string>;
    let cleanIds: number[];
    let corruptedIds: number[];
    try {
      cleanIds = tokenizer.encode(clean, { bos: true });
      corruptedIds = tokenizer.encode(corrupted, { bos: true });
    } catch (e) {
      throw new TaskInputError(`${where}: cannot tokenize (${(e as Error).message})`);
    }
    if (cleanIds.length !== corruptedIds.length) {
      throw new TaskInputError(
        `${where}: "clean" is ${cleanIds.length} tokens and "corrupted" ${corruptedIds.length}; they must be equally long`,
      );
    }
    const answerId = answerToken(tokenizer, answer, `${where} "answer"`);
    const wrongId = answerToken(tokenizer, wrong, `${where} "wrong"`);
    if (answerId === wrongId) throw new TaskInputError(`${where}: "answer" and "wrong" are the same token`);
    pairs.push({
      clean: cleanIds,
      corrupted: corruptedIds,
      answer: answerId,
      wrong: wrongId,
      positions: { END: [cleanIds.length - 1] },
      cleanText: clean,
      corruptedText: corrupted,
    });
  });
  if (pairs.length === 0) throw new TaskInputError('task file: no prompt pairs (one JSON object per line)');
  return {
    ok: true,
    task: {
      kind: 'user',
      name: opts.name,
      description: `User task "${opts.name}" (${pairs.length} prompt pairs).`,
      citation: null,
      metric: opts.metric ?? 'logit_diff',
      version: 1,
      pairs,
      skipped: [],
    },
  };
}
