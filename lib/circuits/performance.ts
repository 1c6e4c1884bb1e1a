import type { ForwardRunner } from '../engine/types';
import type { CircuitModel, Task, TaskBuild, TaskUsability } from './types';
import { runBaselines } from './patching/sweep';

/**
 * Does the model perform the task? Checked before any role is tested: a model that cannot do IOI has no name
 * movers to find, and saying "no" for each head would be a false negative. Usable when the clean prompts' answer
 * beats the wrong token often enough (accuracy) and the corruption moves the metric enough (clean − corrupted),
 * else every role measured on the task is "untestable on this model".
 */
export const PERFORMANCE_THRESHOLDS = { minAccuracy: 0.7, minGap: 1 } as const;

export async function checkTaskPerformance(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { minAccuracy?: number; minGap?: number } = {},
): Promise<TaskUsability> {
  const minAccuracy = opts.minAccuracy ?? PERFORMANCE_THRESHOLDS.minAccuracy;
  // The gap is in the metric's units: logits for logit_diff, probability for prob.
  const minGap = opts.minGap ?? (task.metric === 'prob' ? 0.1 : PERFORMANCE_THRESHOLDS.minGap);
  const measured = { ...task, metric: task.metric === 'kl' ? ('logit_diff' as const) : task.metric };
  const base = await runBaselines(runner, model, measured, task.pairs, []);
  // Accuracy is always answer vs wrong (logit difference > 0), whatever the metric.
  const ld =
    task.metric === 'logit_diff' || task.metric === 'kl'
      ? base.cleanMetric
      : (await runBaselines(runner, model, { ...task, metric: 'logit_diff' }, task.pairs, [])).cleanMetric;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const performance = {
    cleanMetric: mean(base.cleanMetric),
    corruptedMetric: mean(base.corruptedMetric),
    accuracy: ld.filter((x) => x > 0).length / ld.length,
    minAccuracy,
    minGap,
    forwardPasses: base.passes * (ld === base.cleanMetric ? 1 : 2),
  };
  const problems: string[] = [];
  if (performance.accuracy < minAccuracy) problems.push(`accuracy ${(performance.accuracy * 100).toFixed(0)} % < ${minAccuracy * 100} %`);
  const gap = performance.cleanMetric - performance.corruptedMetric;
  if (!(gap >= minGap)) problems.push(`clean − corrupted ${gap.toFixed(3)} < ${minGap}`);
  if (problems.length === 0) return { status: 'usable', task: task.name, performance };
  return {
    status: 'untestable',
    task: task.name,
    reason: 'performance',
    detail: `the model does not perform this task: ${problems.join('; ')}`,
    performance,
  };
}

/** A generator's failure as a usability verdict (the tokenizer cannot express the task). */
export function tokenizerUsability(build: Extract<TaskBuild, { ok: false }>): TaskUsability {
  // The words the tokenizer could not keep whole (or does not know: [UNK]) are listed, a few of them.
  const shown = build.skipped.slice(0, 6);
  const more = build.skipped.length - shown.length;
  const words = shown.length > 0 ? `; unusable: ${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}` : '';
  return { status: 'untestable', task: build.kind, reason: 'tokenizer', detail: build.reason + words, performance: null };
}
