/**
 * A head's claimed labels with their causal tests, for the head page (server component: reads the run).
 */
import { getHeadLabels } from '@/lib/db/head-labels';
import { toBadge } from '@/lib/api/head-labels-view';
import { formatMetricValue } from '@/lib/format/numbers';
import { HeadBadges } from './HeadBadges';

export async function HeadLabelsSection({ runId, layer, head }: { runId: string; layer: number; head: number }) {
  const labels = (await getHeadLabels(runId, { layer, head })).map(toBadge);
  if (labels.length === 0) {
    return <p className="small muted" data-testid="head-labels-none">No label claimed: no score of this head passes a label threshold (see /metrics).</p>;
  }
  return (
    <div className="head-labels" data-testid="head-labels">
      <HeadBadges badges={labels} />
      <ul className="small">
        {labels.map((b) => (
          <li key={b.label}>
            <strong>{b.title}</strong>: {b.metricId} = {formatMetricValue(b.score)} (claimed at ≥ {b.threshold});{' '}
            {b.status === 'untestable' ? 'not testable by ablation' : b.status === 'confirmed' ? 'confirmed' : 'not confirmed'}
            {b.effect !== null ? ` — ablation effect ${formatMetricValue(b.effect)} ${b.effectUnit} (needs ≥ ${b.effectThreshold})` : ''}. {b.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
