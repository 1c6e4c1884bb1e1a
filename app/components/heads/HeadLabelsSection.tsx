/**
 * A head's claimed labels with their causal tests, for the head page: the badges (in words), what each test
 * measured, and the legend of ✓ ? –.
 */
import type { HeadBadge } from '@/lib/api/head-labels-view';
import { formatMetricValue } from '@/lib/format/numbers';
import { BadgeLegend, HeadBadges } from './HeadBadges';

export function HeadLabelsSection({ labels }: { labels: readonly HeadBadge[] }) {
  if (labels.length === 0) {
    return (
      <p className="small muted" data-testid="head-labels-none">
        No label claimed: no score of this head passes a label threshold (see <a href="/metrics#labels">labels</a>).
      </p>
    );
  }
  return (
    <div className="head-labels" data-testid="head-labels">
      <HeadBadges badges={labels} />
      <ul className="small">
        {labels.map((b) => (
          <li key={b.label}>
            <strong>{b.title}</strong>: {b.metricId} = {formatMetricValue(b.score)} (claimed at ≥ {b.threshold});{' '}
            {b.status === 'untestable' ? 'untestable here' : b.status === 'confirmed' ? 'confirmed' : 'not confirmed'}
            {b.effect !== null
              ? ` — ablation effect ${formatMetricValue(b.effect)} ${b.effectUnit} (needs ≥ ${b.effectThreshold})`
              : ''}. {b.detail}
          </li>
        ))}
      </ul>
      <BadgeLegend />
    </div>
  );
}
