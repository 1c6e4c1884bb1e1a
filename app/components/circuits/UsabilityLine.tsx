/** Whether the model performs a task — the check every role verdict on it rests on — in one sentence. */
import type { TaskUsability } from '@/lib/circuits/types';

export function UsabilityLine({ usability, metric }: { usability: TaskUsability; metric: string }) {
  const p = usability.performance;
  const numbers = p
    ? ` Accuracy ${(100 * p.accuracy).toFixed(0)}% (needs ${(100 * p.minAccuracy).toFixed(0)}%); mean ${metric.replace('_', ' ')} ${p.cleanMetric.toFixed(3)} on clean prompts vs ${p.corruptedMetric.toFixed(3)} on corrupted ones (the gap needs ${p.minGap}).`
    : '';
  return usability.status === 'usable' ? (
    <p className="notice ok" data-testid="task-usability" data-status="usable">
      <strong>The model performs this task.</strong>
      {numbers}
    </p>
  ) : (
    <p className="notice" data-testid="task-usability" data-status="untestable">
      <strong>Untestable on this model</strong> (
      {usability.reason === 'tokenizer' ? 'its tokenizer cannot express the task' : 'the model does not perform it'}): {usability.detail}.
      {numbers} Every role on this task is &quot;untestable&quot;, never &quot;no&quot;.
    </p>
  );
}
