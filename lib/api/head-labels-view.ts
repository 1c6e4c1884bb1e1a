/**
 * What pages and the API show of a run's head labels: compact badges keyed by head name, and the
 * threshold of each labelled metric (for highlighting cells of labelled heads in the head table).
 */
import type { HeadLabelValue } from '@/lib/db/head-labels';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import { headName } from '@/lib/format/head-name';

export interface HeadBadge {
  label: string;
  title: string;
  status: HeadLabelValue['status'];
  effect: number | null;
  effectUnit: string;
  effectThreshold: number;
  score: number;
  metricId: string;
  threshold: number;
  detail: string;
}

export function toBadge(l: HeadLabelValue): HeadBadge {
  const rule = LABEL_RULES.find((r) => r.label === l.label);
  return {
    label: l.label,
    title: rule?.title ?? l.label,
    status: l.status,
    effect: l.effect,
    effectUnit: l.effectUnit,
    effectThreshold: l.effectThreshold,
    score: l.score,
    metricId: l.metricId,
    threshold: l.threshold,
    detail: l.detail,
  };
}

/** Badges by head name (`L1H7`), confirmed first. */
export function badgesByHead(labels: readonly HeadLabelValue[]): Record<string, HeadBadge[]> {
  const out: Record<string, HeadBadge[]> = {};
  for (const l of labels) (out[headName(l.layer, l.head)] ??= []).push(toBadge(l));
  for (const list of Object.values(out)) list.sort((a, b) => Number(b.status === 'confirmed') - Number(a.status === 'confirmed'));
  return out;
}

/** metric id → the score from which a label is claimed. */
export const LABEL_THRESHOLDS: Record<string, number> = Object.fromEntries(LABEL_RULES.map((r) => [r.metricId, r.threshold]));
