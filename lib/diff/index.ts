/**
 * Model diff (issue 17): what changed between two models. Types and the sharding contract: ./types.ts.
 *
 *   const a = await prepareDiffModel('base', modelA, tokenizerA);      // TransformerLens weight processing, OnnxRunner
 *   const b = await prepareDiffModel('tuned', modelB, tokenizerB);
 *   const black = await computeBlackBoxDiff(a, b, texts, { prompts: ['Once upon a time'] });   // any two models
 *   const white = await computeWhiteBoxDiff(a, b, texts, { blackBox: black });                // same architecture
 *
 * A job queue runs computeBlackBoxPartial / computeWhiteBoxPartial per corpus shard, merges the partials
 * (merge*Partials: any order, same bits) and finalizes once with the corpus-independent parts.
 */
import type { BlackBoxDiff, DiffModel, DiffOptions, DiffTask } from './types';
import { computeBlackBoxPartial, finalizeBlackBox } from './black-box';
import { computeContinuations } from './continuations';
import { computeTaskDiffs } from './tasks';

export * from './types';
export { prepareDiffModel, diffModelInfo, resolveDiffOptions, assertSameArchitecture, sameVocabulary, DEFAULT_DIFF_OPTIONS } from './model';
export { computeBlackBoxPartial, mergeBlackBoxPartials, finalizeBlackBox } from './black-box';
export { computeContinuations } from './continuations';
export { computeTaskDiffs } from './tasks';
export { circuitDiffTasks } from './circuit-tasks';
export { computeWeightDiff } from './weight-diff';
export { computeWhiteBoxPartial, mergeWhiteBoxPartials } from './activation-diff';
export { computeHeadMetricDiff, DEFAULT_DIFF_HEAD_METRICS } from './head-metric-diff';
export { choosePatchingText, computePatchingDiff } from './patching';
export { finalizeWhiteBox, computeWhiteBoxDiff, type WhiteBoxRunOptions } from './white-box';

/** Default prompts of the side-by-side continuations (stories models' register; any text works). */
export const DEFAULT_DIFF_PROMPTS = ['Once upon a time', 'The little dog', 'She said'];

export interface BlackBoxRunOptions extends Partial<DiffOptions> {
  prompts?: string[];
  maxNewTokens?: number;
  tasks?: DiffTask[];
}

/** Every black-box part in one process. */
export async function computeBlackBoxDiff(
  a: DiffModel,
  b: DiffModel,
  corpus: string[],
  opts: BlackBoxRunOptions = {},
): Promise<BlackBoxDiff> {
  const { prompts, maxNewTokens, tasks, ...diffOptions } = opts;
  const partial = await computeBlackBoxPartial(a, b, { firstDocument: 0, documents: corpus }, diffOptions);
  return finalizeBlackBox(partial, {
    continuations: await computeContinuations(a, b, prompts ?? DEFAULT_DIFF_PROMPTS, { maxNewTokens }),
    tasks: tasks ? await computeTaskDiffs(a, b, tasks) : [],
  });
}
