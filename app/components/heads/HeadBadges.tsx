/**
 * Label badges of a head ("Induction head ✓ +2.56 nats"): a claimed label shows its causal test —
 * confirmed (the ablation effect passed its threshold), not confirmed, or untestable. Pure markup,
 * usable from server and client components alike.
 */
import type { HeadBadge } from '@/lib/api/head-labels-view';
import { formatMetricValue } from '@/lib/format/numbers';

const STATUS_TEXT = { confirmed: '✓', not_confirmed: '?', untestable: '–' } as const;

function effectText(b: HeadBadge): string {
  if (b.effect === null) return 'untestable';
  const sign = b.effect >= 0 ? '+' : '−';
  return `${sign}${formatMetricValue(Math.abs(b.effect))} ${b.effectUnit}`;
}

function tooltip(b: HeadBadge): string {
  const claim = `${b.metricId} ${formatMetricValue(b.score)} ≥ ${b.threshold}`;
  const test =
    b.status === 'untestable'
      ? 'not testable by ablation'
      : `${b.status === 'confirmed' ? 'confirmed' : 'not confirmed'}: ablation effect ${effectText(b)} (needs ≥ ${b.effectThreshold} ${b.effectUnit})`;
  return `${b.title}: ${claim}; ${test}. ${b.detail}`;
}

export function HeadBadges({ badges, compact = false }: { badges: readonly HeadBadge[] | undefined; compact?: boolean }) {
  if (!badges || badges.length === 0) return null;
  return (
    <span className="head-badges" data-testid="head-badges">
      {badges.map((b) => (
        <span
          key={b.label}
          className={`head-badge badge-${b.status}`}
          title={tooltip(b)}
          data-testid="head-badge"
          data-label={b.label}
          data-status={b.status}
        >
          {compact ? b.label.replace('_token', '').replace('_', '-') : b.title} {STATUS_TEXT[b.status]}
          {!compact && b.effect !== null ? <span className="badge-effect"> {effectText(b)}</span> : null}
        </span>
      ))}
    </span>
  );
}
