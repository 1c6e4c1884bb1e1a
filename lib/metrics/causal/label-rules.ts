/**
 * Head labels and how each is confirmed. A label is *claimed* when the head's score on `metricId`
 * reaches `threshold`; it is *confirmed* when ablating the head (mean-ablation by default) changes the
 * label's own measurement by at least `effectThreshold` (in `effectUnit`). Thresholds are chosen
 * well above what uniform attention / random weights give (see docs/metrics.md, "Labels").
 */
export type HeadLabelKind = 'previous_token' | 'induction' | 'duplicate_token' | 'copying';

export interface LabelRule {
  label: HeadLabelKind;
  title: string;
  metricId: string;
  threshold: number;
  effectThreshold: number;
  effectUnit: 'score' | 'nats' | 'logits';
  /** What the effect measures, for tooltips and docs. */
  effect: string;
}

export const LABEL_RULES: readonly LabelRule[] = [
  {
    label: 'previous_token',
    title: 'Previous-token head',
    metricId: 'previous_token',
    threshold: 0.3,
    effectThreshold: 0.05,
    effectUnit: 'score',
    effect: "largest drop of a later head's induction score (repeated random tokens) when this head is ablated",
  },
  {
    label: 'induction',
    title: 'Induction head',
    metricId: 'induction',
    threshold: 0.3,
    effectThreshold: 0.1,
    effectUnit: 'nats',
    effect: 'loss increase on the second copy of repeated random tokens when this head is ablated',
  },
  {
    label: 'duplicate_token',
    title: 'Duplicate-token head',
    metricId: 'duplicate_token',
    threshold: 0.3,
    effectThreshold: 0.02,
    effectUnit: 'nats',
    effect: "loss increase on the run's natural texts when this head is ablated",
  },
  {
    label: 'copying',
    title: 'Copying head',
    metricId: 'copying_full',
    threshold: 0.7,
    effectThreshold: 0.5,
    effectUnit: 'logits',
    effect: "mean drop of the logit of the token the head attends to most (BOS excluded) on the run's natural texts when it is ablated",
  },
];

export type LabelStatus = 'confirmed' | 'not_confirmed' | 'untestable';

export interface HeadLabel {
  layer: number;
  head: number;
  label: HeadLabelKind;
  metricId: string;
  score: number;
  threshold: number;
  status: LabelStatus;
  /** The measured effect of ablating the head (null when untestable). */
  effect: number | null;
  effectThreshold: number;
  effectUnit: LabelRule['effectUnit'];
  /** A sentence: what was measured, clean vs ablated, and for previous-token heads which later head moved. */
  detail: string;
  ablation: 'mean' | 'zero';
}
