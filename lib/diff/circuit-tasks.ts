import { checkTaskPerformance } from '../circuits/performance';
import { BUILT_IN_TASKS, buildTask } from '../circuits/tasks';
import type { DiffTask } from './types';

/**
 * The circuit work's tasks (lib/circuits: IOI, induction, greater-than, few-shot, factual recall) as diff tasks: each
 * model builds the task from its own tokenizer (same generator, seed and count, so models sharing a tokenizer see the
 * same prompts) and reports its accuracy and mean metric on clean and corrupted prompts. A model whose tokenizer
 * cannot express a task says why instead of a number.
 */
export function circuitDiffTasks(opts: { count?: number; seed?: number } = {}): DiffTask[] {
  return BUILT_IN_TASKS.map((kind) => ({
    id: kind,
    title: kind.replace(/_/g, ' '),
    async run(side) {
      const built = buildTask(kind, side.tokenizer, { count: opts.count ?? 16, seed: opts.seed ?? 0 });
      if (!built.ok) return { unavailable: built.reason };
      const usability = await checkTaskPerformance(side.runner, side.model, built.task);
      const p = usability.performance;
      if (!p) return { unavailable: usability.status === 'untestable' ? usability.detail : 'not measured' };
      return { metrics: { accuracy: p.accuracy, clean: p.cleanMetric, corrupted: p.corruptedMetric }, n: built.task.pairs.length };
    },
  }));
}
