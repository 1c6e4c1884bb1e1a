/**
 * The head page's opening summary: what the head's labels say (and whether ablation backs them), then where it ranks
 * highest among the model's heads. Plain sentences from the run's own numbers, so a reader knows what the head is
 * before the details.
 */
import { formatMetricValue, formatRank } from '@/lib/format/numbers';
import type { HeadBadge } from './head-labels-view';

export interface SummaryMetric {
  id: string;
  title: string;
  value: number | null;
  rank: number | null;
  rankedHeads: number;
}

/** How many top ranks the summary names. */
const MAX_RANKS = 3;

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

function labelSentence(name: string, b: HeadBadge): string {
  const what = b.title.charAt(0).toLowerCase() + b.title.slice(1);
  const claim = `${b.metricId} ${formatMetricValue(b.score)} ≥ ${b.threshold}`;
  if (b.status === 'confirmed') {
    const sign = (b.effect ?? 0) >= 0 ? '+' : '−';
    return `${name} is ${article(what)} ${what} (${claim}), confirmed by ablation (effect ${sign}${formatMetricValue(Math.abs(b.effect ?? 0))} ${b.effectUnit}).`;
  }
  if (b.status === 'not_confirmed') return `${name} scores as ${article(what)} ${what} (${claim}), but ablating it does not confirm it.`;
  return `${name} scores as ${article(what)} ${what} (${claim}); the claim is untestable in this model.`;
}

/** A metric counts as a standout when it ranks in the top 3 or the top 10 % of heads, whichever is wider. */
export function standoutMetrics(metrics: readonly SummaryMetric[]): SummaryMetric[] {
  return metrics
    .filter((m) => m.rank !== null && m.value !== null && m.rankedHeads > 1 && m.rank <= Math.max(3, Math.ceil(0.1 * m.rankedHeads)))
    .sort((a, b) => a.rank! - b.rank! || a.title.localeCompare(b.title))
    .slice(0, MAX_RANKS);
}

export function headSummary(name: string, badges: readonly HeadBadge[], metrics: readonly SummaryMetric[]): string[] {
  const out: string[] = [];
  const ordered = [...badges].sort((a, b) => order(a) - order(b));
  if (ordered.length === 0) out.push(`${name} has no claimed label: none of its scores passes a label threshold.`);
  else out.push(...ordered.map((b) => labelSentence(name, b)));
  const top = standoutMetrics(metrics);
  if (top.length > 0) {
    out.push(
      `It ranks ${top.map((m) => `${formatRank(m.rank!, m.rankedHeads)} on ${m.title} (${formatMetricValue(m.value)})`).join(', ')}.`,
    );
  } else if (metrics.some((m) => m.rank !== null)) {
    out.push("None of its scores is among the model's highest (top 3 or top 10 % of heads).");
  }
  return out;
}

/** Confirmed claims first: they say the most. */
function order(b: HeadBadge): number {
  return b.status === 'confirmed' ? 0 : b.status === 'not_confirmed' ? 1 : 2;
}
