/**
 * Label badges of a head ("Induction head ✓ confirmed"): a claimed label shows its causal test in words —
 * confirmed (the ablation effect passed its threshold), not confirmed, or untestable here — with the symbol
 * beside the word (the symbol alone was only explained in tooltips). BadgeLegend spells the three out on the
 * page. Pure markup, usable from server and client components alike.
 */
import type { HeadBadge } from '@/lib/api/head-labels-view';
import { formatMetricValue } from '@/lib/format/numbers';

const STATUS_SYMBOL = { confirmed: '✓', not_confirmed: '?', untestable: '–' } as const;
const STATUS_WORDS = { confirmed: 'confirmed', not_confirmed: 'not confirmed', untestable: 'untestable here' } as const;

function effectText(b: HeadBadge): string {
  if (b.effect === null) return 'untestable';
  const sign = b.effect >= 0 ? '+' : '−';
  return `${sign}${formatMetricValue(Math.abs(b.effect))} ${b.effectUnit}`;
}

function tooltip(b: HeadBadge): string {
  const claim = `${b.metricId} ${formatMetricValue(b.score)} ≥ ${b.threshold}`;
  const test =
    b.status === 'untestable'
      ? 'not testable by ablation in this model'
      : `${STATUS_WORDS[b.status]}: ablation effect ${effectText(b)} (needs ≥ ${b.effectThreshold} ${b.effectUnit})`;
  return `${b.title}: ${claim}; ${test}. ${b.detail}`;
}

/** `compact`: the head table's short form ("induction ✓"), its meaning in the title and the legend. */
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
          {compact ? b.label.replace('_token', '').replace('_', '-') : b.title} {STATUS_SYMBOL[b.status]}
          {compact ? (
            <span className="visually-hidden"> {STATUS_WORDS[b.status]}</span>
          ) : (
            <span className="badge-status"> {STATUS_WORDS[b.status]}</span>
          )}
        </span>
      ))}
    </span>
  );
}

/** What ✓ ? – mean, shown where badges are (head page, head table). */
export function BadgeLegend() {
  return (
    <p className="badge-legend small muted" data-testid="badge-legend">
      A label is <em>claimed</em> when the head&apos;s score passes the label&apos;s threshold, then tested by ablating the head:{' '}
      <span className="head-badge badge-confirmed">✓ confirmed</span> the effect passed its threshold;{' '}
      <span className="head-badge badge-not_confirmed">? not confirmed</span> ablating it moved the effect too little;{' '}
      <span className="head-badge badge-untestable">– untestable here</span> this model offers no way to measure it (e.g. no later head
      builds on it). See <a href="/metrics#labels">how labels are tested</a>.
    </p>
  );
}
