import type { DiffModel, DiffTask, TaskMetricDiff } from './types';

/**
 * Runs each task (issue 19's circuit tasks plug in as DiffTask) on both models and lines up every metric either
 * reports; a side that cannot run a task has null with the reason.
 */
export async function computeTaskDiffs(a: DiffModel, b: DiffModel, tasks: DiffTask[]): Promise<TaskMetricDiff[]> {
  const out: TaskMetricDiff[] = [];
  for (const task of tasks) {
    const [ra, rb] = [await task.run(a), await task.run(b)];
    const ma = 'metrics' in ra ? ra.metrics : {};
    const mb = 'metrics' in rb ? rb.metrics : {};
    const names = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort();
    const notes = [
      'unavailable' in ra ? `${a.slug}: ${ra.unavailable}` : null,
      'unavailable' in rb ? `${b.slug}: ${rb.unavailable}` : null,
    ].filter((x): x is string => x !== null);
    if (names.length === 0) {
      out.push({
        task: task.id,
        title: task.title,
        metric: '',
        a: null,
        b: null,
        diff: null,
        n: 0,
        note: notes.join('; ') || 'no metrics',
      });
      continue;
    }
    for (const metric of names) {
      const va = ma[metric] ?? null;
      const vb = mb[metric] ?? null;
      out.push({
        task: task.id,
        title: task.title,
        metric,
        a: va,
        b: vb,
        diff: va !== null && vb !== null ? vb - va : null,
        n: Math.max('n' in ra ? ra.n : 0, 'n' in rb ? rb.n : 0),
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      });
    }
  }
  return out;
}
