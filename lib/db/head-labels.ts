/** Claimed head labels of a run with their causal confirmation (lib/metrics/causal). */
import { z } from 'zod';
import { getPrisma } from './client';
import { lockRunForWriting } from './run-lock';
import { nonNegativeInt32, parseInput, runIdSchema } from './validate';

export interface HeadLabelValue {
  layer: number;
  head: number;
  label: string;
  metricId: string;
  score: number;
  threshold: number;
  status: 'confirmed' | 'not_confirmed' | 'untestable';
  effect: number | null;
  effectThreshold: number;
  effectUnit: string;
  detail: string;
  ablation: string;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const labelsSchema = z.array(
  z.object({
    layer: nonNegativeInt32,
    head: nonNegativeInt32,
    label: z.string().regex(/^[a-z][a-z0-9_]*$/),
    metricId: z.string().regex(/^[a-z][a-z0-9_]*$/),
    score: finite,
    threshold: finite,
    status: z.enum(['confirmed', 'not_confirmed', 'untestable']),
    effect: finite.nullable(),
    effectThreshold: finite,
    effectUnit: z.string().min(1),
    detail: z.string(),
    ablation: z.enum(['mean', 'zero']),
  }),
);

/** Saves (or replaces) a running run's labels: all of them, or those of `layers` (finalize's per-layer jobs). */
export async function saveHeadLabels(runId: string, labels: HeadLabelValue[], layers?: readonly number[]): Promise<void> {
  parseInput(runIdSchema, runId, 'saveHeadLabels');
  const rows = parseInput(labelsSchema, labels, 'saveHeadLabels');
  await getPrisma().$transaction(async (tx) => {
    const dims = await lockRunForWriting(tx, runId, 'saveHeadLabels');
    const outside = rows.find((r) => r.layer >= dims.nLayers || r.head >= dims.nHeads);
    if (outside) throw new Error(`saveHeadLabels: L${outside.layer}H${outside.head} is outside the model`);
    if (layers && rows.some((r) => !layers.includes(r.layer))) throw new Error('saveHeadLabels: a label outside the layers it replaces');
    await tx.headLabel.deleteMany({ where: { runId, ...(layers ? { layer: { in: [...layers] } } : {}) } });
    await tx.headLabel.createMany({ data: rows.map((r) => ({ runId, ...r })) });
  });
}

/** Labels of a run (or of one head), ordered by layer, head, label. */
export async function getHeadLabels(runId: string, head?: { layer: number; head: number }): Promise<HeadLabelValue[]> {
  const rows = await getPrisma().headLabel.findMany({
    where: { runId, ...(head ? { layer: head.layer, head: head.head } : {}) },
    orderBy: [{ layer: 'asc' }, { head: 'asc' }, { label: 'asc' }],
    select: {
      layer: true,
      head: true,
      label: true,
      metricId: true,
      score: true,
      threshold: true,
      status: true,
      effect: true,
      effectThreshold: true,
      effectUnit: true,
      detail: true,
      ablation: true,
    },
  });
  return rows as HeadLabelValue[];
}
