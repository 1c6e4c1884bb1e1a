/** A run's head-to-head composition scores and head labels as export tables. */
import { getPrisma } from '@/lib/db/client';
import { listHeadComposition, type CompositionKey } from '@/lib/db/head-composition';
import { headName } from '@/lib/format/head-name';
import type { ExportTable } from './types';

export const headCompositionExport: ExportTable<CompositionKey> = {
  id: 'head-composition',
  title: 'Head composition',
  description: 'Q/K/V composition score of every earlier → later head pair (see the composition page for the random baseline).',
  columns: [
    { name: 'kind', description: 'q, k or v.' },
    { name: 'src_layer', description: "Earlier head's layer." },
    { name: 'src_head', description: 'Earlier head.' },
    { name: 'dst_layer', description: "Later head's layer." },
    { name: 'dst_head', description: 'Later head.' },
    { name: 'value', description: 'Composition score.' },
  ],
  pageSize: 10_000,
  count: (runId) => getPrisma().headComposition.count({ where: { runId } }),
  async readPage(runId, after, take) {
    const rows = await listHeadComposition(runId, { after, limit: take });
    return rows.map((r) => ({
      kind: r.kind,
      src_layer: r.srcLayer,
      src_head: r.srcHead,
      dst_layer: r.dstLayer,
      dst_head: r.dstHead,
      value: r.value,
    }));
  },
  keyOf: (row) => ({
    kind: row.kind as CompositionKey['kind'],
    srcLayer: row.src_layer as number,
    srcHead: row.src_head as number,
    dstLayer: row.dst_layer as number,
    dstHead: row.dst_head as number,
  }),
};

type LabelKey = { layer: number; head: number; label: string };

export const headLabelsExport: ExportTable<LabelKey> = {
  id: 'head-labels',
  title: 'Head labels',
  description: 'Labels claimed for heads (score ≥ threshold) and the result of their causal test (ablation effect).',
  columns: [
    { name: 'layer', description: 'Layer, 0-based.' },
    { name: 'head', description: 'Head, 0-based.' },
    { name: 'name', description: 'L{layer}H{head}.' },
    { name: 'label', description: 'previous_token, induction, duplicate_token, copying.' },
    { name: 'metric', description: 'Metric the claim is based on.' },
    { name: 'score', description: "The head's score on that metric." },
    { name: 'threshold', description: 'Score needed to claim the label.' },
    { name: 'status', description: 'confirmed, not_confirmed or untestable.' },
    { name: 'effect', description: 'Measured ablation effect (empty: untestable).' },
    { name: 'effect_threshold', description: 'Effect needed to confirm.' },
    { name: 'effect_unit', description: 'Unit of the effect.' },
    { name: 'ablation', description: 'mean or zero.' },
    { name: 'detail', description: 'What was measured, in words.' },
  ],
  pageSize: 5000,
  count: (runId) => getPrisma().headLabel.count({ where: { runId } }),
  async readPage(runId, after, take) {
    const rows = await getPrisma().headLabel.findMany({
      where: after
        ? {
            runId,
            OR: [
              { layer: { gt: after.layer } },
              { layer: after.layer, head: { gt: after.head } },
              { layer: after.layer, head: after.head, label: { gt: after.label } },
            ],
          }
        : { runId },
      orderBy: [{ layer: 'asc' }, { head: 'asc' }, { label: 'asc' }],
      take,
    });
    return rows.map((r) => ({
      layer: r.layer,
      head: r.head,
      name: headName(r.layer, r.head),
      label: r.label,
      metric: r.metricId,
      score: r.score,
      threshold: r.threshold,
      status: r.status,
      effect: r.effect,
      effect_threshold: r.effectThreshold,
      effect_unit: r.effectUnit,
      ablation: r.ablation,
      detail: r.detail,
    }));
  },
  keyOf: (row) => ({ layer: row.layer as number, head: row.head as number, label: row.label as string }),
};
