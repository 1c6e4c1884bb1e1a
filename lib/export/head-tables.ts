/** The head tables of a run as export tables: metric values, example text tokens, attention patterns. */
import { getPrisma } from '@/lib/db/client';
import { leBytesToFloat32 } from '@/lib/db/float32-bytes';
import { headName } from '@/lib/format/head-name';
import type { ExportRow, ExportTable } from './types';

type HeadMetricKey = { layer: number; head: number; metricId: string };

export const headMetricsExport: ExportTable<HeadMetricKey> = {
  id: 'head-metrics',
  title: 'Head metrics',
  description: 'Every metric value of every head, one row per (head, metric) ("long" format; pivot for a wide table).',
  columns: [
    { name: 'layer', description: 'Layer, 0-based.' },
    { name: 'head', description: 'Head, 0-based.' },
    { name: 'name', description: 'L{layer}H{head}.' },
    { name: 'metric', description: 'Metric id (see /api/v1/metrics).' },
    { name: 'metric_version', description: 'Version of the metric the value was computed with.' },
    { name: 'value', description: 'The value.' },
  ],
  // Small rows: a large page keeps the per-query overhead (~15 ms here) under a third of the read time (scripts/bench/export-stream.ts).
  pageSize: 20_000,
  count: (runId) => getPrisma().headMetric.count({ where: { runId } }),
  async readPage(runId, after, take) {
    const prisma = getPrisma();
    // Row-value comparison on the primary key's order: an index range scan per page.
    const rows = after
      ? await prisma.$queryRaw<{ layer: number; head: number; metricId: string; metricVersion: number; value: number }[]>`
          SELECT "layer", "head", "metricId", "metricVersion", "value" FROM "HeadMetric"
          WHERE "runId" = ${runId} AND ("layer", "head", "metricId") > (${after.layer}::int, ${after.head}::int, ${after.metricId}::text)
          ORDER BY "layer", "head", "metricId" LIMIT ${take}`
      : await prisma.$queryRaw<{ layer: number; head: number; metricId: string; metricVersion: number; value: number }[]>`
          SELECT "layer", "head", "metricId", "metricVersion", "value" FROM "HeadMetric"
          WHERE "runId" = ${runId} ORDER BY "layer", "head", "metricId" LIMIT ${take}`;
    return rows.map((r) => ({
      layer: r.layer,
      head: r.head,
      name: headName(r.layer, r.head),
      metric: r.metricId,
      metric_version: r.metricVersion,
      value: r.value,
    }));
  },
  keyOf: (row) => ({ layer: row.layer as number, head: row.head as number, metricId: row.metric as string }),
};

export const exampleTokensExport: ExportTable<number> = {
  id: 'example-tokens',
  title: 'Example text',
  description: 'The tokens of the text whose attention patterns the run stored (one row per position).',
  columns: [
    { name: 'position', description: 'Token position, 0-based (0 is BOS).' },
    { name: 'token_id', description: 'Token id.' },
    { name: 'token', description: 'Token text.' },
  ],
  pageSize: 10_000,
  count: async (runId) => {
    const ex = await getPrisma().runExampleText.findUnique({ where: { runId }, select: { tokenIds: true } });
    return ex?.tokenIds.length ?? 0;
  },
  async readPage(runId, after, take) {
    // One row in the database holds the whole (short) text; page through it anyway for a uniform interface.
    const ex = await getPrisma().runExampleText.findUnique({ where: { runId }, select: { tokenIds: true, tokens: true } });
    if (!ex) return [];
    const start = after === undefined ? 0 : after + 1;
    const rows: ExportRow[] = [];
    for (let i = start; i < Math.min(ex.tokenIds.length, start + take); i++)
      rows.push({ position: i, token_id: ex.tokenIds[i], token: ex.tokens[i] });
    return rows;
  },
  keyOf: (row) => row.position as number,
};

type HeadKey = { layer: number; head: number };

export const headPatternsExport: ExportTable<HeadKey> = {
  id: 'head-patterns',
  title: 'Attention patterns',
  description: "Each head's attention pattern on the example text: pattern[q][k] as a JSON array of rows (float32 values).",
  columns: [
    { name: 'layer', description: 'Layer, 0-based.' },
    { name: 'head', description: 'Head, 0-based.' },
    { name: 'name', description: 'L{layer}H{head}.' },
    { name: 'pattern', description: 'seq×seq attention pattern, rows = query positions (JSON).' },
  ],
  pageSize: 16,
  count: (runId) => getPrisma().headPattern.count({ where: { runId } }),
  async readPage(runId, after, take) {
    const rows = await getPrisma().headPattern.findMany({
      where: after ? { runId, OR: [{ layer: { gt: after.layer } }, { layer: after.layer, head: { gt: after.head } }] } : { runId },
      orderBy: [{ layer: 'asc' }, { head: 'asc' }],
      take,
      select: { layer: true, head: true, pattern: true },
    });
    return rows.map((r) => {
      const flat = leBytesToFloat32(r.pattern);
      const seq = Math.round(Math.sqrt(flat.length));
      const pattern: number[][] = [];
      for (let q = 0; q < seq; q++) pattern.push(Array.from(flat.subarray(q * seq, (q + 1) * seq)));
      return { layer: r.layer, head: r.head, name: headName(r.layer, r.head), pattern };
    });
  },
  keyOf: (row) => ({ layer: row.layer as number, head: row.head as number }),
};
