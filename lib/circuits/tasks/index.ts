import type { Tokenizer } from '../../tokenizers/types';
import type { TaskBuild, TaskBuildOptions, TaskKind } from '../types';
import { buildIoiTask } from './ioi';
import { buildInductionTask } from './induction';
import { buildGreaterThanTask } from './greater-than';
import { buildIclTask } from './icl';
import { buildFactualTask } from './factual';

export { parseUserTasks, TaskInputError } from './user-tasks';

/** The built-in task kinds, in the order pages list them. */
export const BUILT_IN_TASKS: Array<Exclude<TaskKind, 'user'>> = [
  'ioi',
  'induction',
  'greater_than',
  'icl_antonym',
  'icl_country_capital',
  'icl_english_french',
  'factual_recall',
];

/** A built-in task for this tokenizer, or why it cannot be built (words that are not single tokens…). */
export function buildTask(kind: Exclude<TaskKind, 'user'>, tokenizer: Tokenizer, opts: TaskBuildOptions = {}): TaskBuild {
  switch (kind) {
    case 'ioi':
      return buildIoiTask(tokenizer, opts);
    case 'induction':
      return buildInductionTask(tokenizer, opts);
    case 'greater_than':
      return buildGreaterThanTask(tokenizer, opts);
    case 'icl_antonym':
    case 'icl_country_capital':
    case 'icl_english_french':
      return buildIclTask(kind, tokenizer, opts);
    case 'factual_recall':
      return buildFactualTask(tokenizer, opts);
    default:
      throw new Error(`unknown task kind ${JSON.stringify(kind)} (known: ${BUILT_IN_TASKS.join(', ')})`);
  }
}

/** Every built-in task this tokenizer can express, and the ones it cannot with the reason (as runs report them). */
export function buildAllTasks(tokenizer: Tokenizer, opts: TaskBuildOptions = {}): TaskBuild[] {
  return BUILT_IN_TASKS.map((kind) => buildTask(kind, tokenizer, opts));
}
