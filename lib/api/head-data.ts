/**
 * Loading what the model page, the head page and the API show, from a resolved published run.
 * Columns come from the metric registry (lib/metrics/heads/registry.ts), never from a fixed list.
 */
import { getHeadMetrics } from '@/lib/db/head-metrics';
import { getHeadPattern } from '@/lib/db/head-patterns';
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { headName } from '@/lib/format/head-name';
import { buildHeadRows, rankHeads, type HeadRow } from './head-rows';
import { metricsInRun, type MetricDescriptor } from './metric-descriptor';

export interface HeadTableData {
  metrics: MetricDescriptor[];
  rows: HeadRow[];
}

export async function loadHeadTable(model: ModelInfo, run: RunInfo): Promise<HeadTableData> {
  const values = await getHeadMetrics(run.id);
  const metrics = metricsInRun(headMetrics, values);
  const rows = buildHeadRows(
    values,
    { nLayers: model.nLayers, nHeads: model.nHeads },
    metrics.map((m) => m.id),
  );
  return { metrics, rows };
}

export interface HeadMetricDetail extends MetricDescriptor {
  value: number | null;
  /** 1 = highest value among the model's heads; null when this head has no value. */
  rank: number | null;
  /** How many heads have a value for this metric. */
  rankedHeads: number;
}

export interface HeadDetail {
  layer: number;
  head: number;
  name: string;
  /** Key/value head this query head reads (grouped-query attention); = head otherwise. */
  kvHead: number;
  metrics: HeadMetricDetail[];
  /** Attention pattern on the run's example text; null when the run stored none. */
  pattern: { tokens: string[]; pattern: number[][] } | null;
}

/** True when the model has this head (both indices already known to be non-negative integers). */
export function headExists(model: ModelInfo, layer: number, head: number): boolean {
  return layer >= 0 && layer < model.nLayers && head >= 0 && head < model.nHeads;
}

/** `table` may be passed when the caller already loaded it (the head page shows both). */
export async function loadHeadDetail(
  model: ModelInfo,
  run: RunInfo,
  layer: number,
  head: number,
  table?: HeadTableData,
): Promise<HeadDetail> {
  if (!headExists(model, layer, head)) {
    throw new RangeError(`loadHeadDetail: ${model.slug} has no head L${layer}H${head} (${model.nLayers} layers × ${model.nHeads} heads)`);
  }
  const [headTable, pattern] = await Promise.all([table ?? loadHeadTable(model, run), getHeadPattern(run.id, layer, head)]);
  const row = headTable.rows[layer * model.nHeads + head];
  const metrics = headTable.metrics.map((m): HeadMetricDetail => {
    const ranks = rankHeads(headTable.rows, m.id);
    return { ...m, value: row.values[m.id] ?? null, rank: ranks.get(row.name) ?? null, rankedHeads: ranks.size };
  });
  const groupSize = model.nKvHeads > 0 && model.nHeads % model.nKvHeads === 0 ? model.nHeads / model.nKvHeads : 1;
  return { layer, head, name: headName(layer, head), kvHead: Math.floor(head / groupSize), metrics, pattern };
}
