/**
 * Planted truth: the heads a hand-built model (lib/testing/planted-models.ts) has by construction, carried in the
 * Model row's `config` JSON as `plantedTruth`, and compared with what the wiki's labels detected. A model whose
 * config has no (valid) `plantedTruth` has no planted-vs-detected panel.
 */
import { z } from 'zod';
import type { HeadLabelValue } from '@/lib/db/head-labels';
import { LABEL_RULES, type HeadLabelKind } from '@/lib/metrics/causal/label-rules';

export interface PlantedHead {
  layer: number;
  head: number;
  role: HeadLabelKind;
}

const roles = LABEL_RULES.map((r) => r.label) as [HeadLabelKind, ...HeadLabelKind[]];
const plantedTruthSchema = z
  .array(z.object({ layer: z.number().int().nonnegative(), head: z.number().int().nonnegative(), role: z.enum(roles) }))
  .min(1);

/** The planted heads in a model's config JSON, or null when it has none (every real model) or they do not parse. */
export function plantedTruthOf(config: unknown): PlantedHead[] | null {
  if (typeof config !== 'object' || config === null || !('plantedTruth' in config)) return null;
  const parsed = plantedTruthSchema.safeParse((config as { plantedTruth: unknown }).plantedTruth);
  return parsed.success ? parsed.data : null;
}

export interface PlantedComparisonRow {
  layer: number;
  head: number;
  role: HeadLabelKind;
  /** detected: planted and labelled; missed: planted, no label; false_positive: labelled, not planted. */
  outcome: 'detected' | 'missed' | 'false_positive';
  /** The label's causal verdict, null when there is no label (missed). */
  status: HeadLabelValue['status'] | null;
  /** The label's metric score; for a missed head, the head's value of the role's metric when the run has it. */
  score: number | null;
  threshold: number;
}

/**
 * Planted heads first (in planted order), each detected or missed, then every label on a head/role that was not
 * planted (false positives), in label order. `metricValue` looks up a head's metric value for missed heads.
 */
export function comparePlantedToDetected(
  planted: readonly PlantedHead[],
  labels: readonly HeadLabelValue[],
  metricValue: (layer: number, head: number, metricId: string) => number | null = () => null,
): PlantedComparisonRow[] {
  const key = (layer: number, head: number, role: string) => `${layer}:${head}:${role}`;
  const labelByKey = new Map(labels.map((l) => [key(l.layer, l.head, l.label), l]));
  const plantedKeys = new Set(planted.map((p) => key(p.layer, p.head, p.role)));
  const rule = (role: string) => LABEL_RULES.find((r) => r.label === role);
  const rows: PlantedComparisonRow[] = planted.map((p) => {
    const label = labelByKey.get(key(p.layer, p.head, p.role));
    const r = rule(p.role);
    if (label) return { ...p, outcome: 'detected', status: label.status, score: label.score, threshold: label.threshold };
    return {
      ...p,
      outcome: 'missed',
      status: null,
      score: r ? metricValue(p.layer, p.head, r.metricId) : null,
      threshold: r?.threshold ?? NaN,
    };
  });
  for (const l of labels) {
    if (plantedKeys.has(key(l.layer, l.head, l.label)) || !rule(l.label)) continue;
    rows.push({
      layer: l.layer,
      head: l.head,
      role: l.label as HeadLabelKind,
      outcome: 'false_positive',
      status: l.status,
      score: l.score,
      threshold: l.threshold,
    });
  }
  return rows;
}
