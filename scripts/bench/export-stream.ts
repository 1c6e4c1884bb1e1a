/**
 * Bulk export: throughput and memory of streaming a large head-metrics table.
 *   npx tsx --expose-gc scripts/bench/export-stream.ts [layers=400] [csv|jsonl]
 * Seeds a throw-away embedded Postgres with layers × 100 heads × 20 metrics rows, then reads
 * /api/v1/runs/{runId}/export/head-metrics.<format>'s stream to the end, forcing a GC every 10
 * chunks to report the live heap's growth (bounded by one keyset page, whatever the table size).
 */
import { startTestDatabase } from '../db/test-database';

const L = Number(process.argv[2] ?? 400);
const format = (process.argv[3] ?? 'csv') as 'csv' | 'jsonl';
const H = 100;
const M = 20;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with --expose-gc to measure the live heap');

const db = await startTestDatabase();
process.env.DATABASE_URL = db.url;
try {
  // After migrating: the Prisma client must not load before the migration engine.
  const { upsertModel } = await import('../../lib/db/models');
  const { createRun, publishRun } = await import('../../lib/db/runs');
  const { saveHeadMetrics } = await import('../../lib/db/head-metrics');
  const { fixtureModel } = await import('../../lib/api/openapi/contract-fixtures');
  const { exportStream } = await import('../../lib/export/stream');
  const { headMetricsExport } = await import('../../lib/export/head-tables');
  const { closePrisma } = await import('../../lib/db/client');

  const model = fixtureModel('bench-export', L, H);
  await upsertModel(model);
  const metricVersions = Object.fromEntries(Array.from({ length: M }, (_, i) => [`m${i}`, 1]));
  const run = await createRun({ modelSlug: model.slug, options: {}, codeVersion: 'bench', seed: 1, metricVersions });
  for (let l0 = 0; l0 < L; l0 += 50) {
    const rows = [];
    for (let l = l0; l < Math.min(L, l0 + 50); l++)
      for (let h = 0; h < H; h++) for (let m = 0; m < M; m++) rows.push({ layer: l, head: h, metricId: `m${m}`, metricVersion: 1, value: Math.sin(l * 7 + h * 3 + m) });
    await saveHeadMetrics(run.id, rows);
  }
  await publishRun(run.id, 1);

  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let heapPeak = heap0;
  let bytes = 0;
  let lines = 0;
  let chunks = 0;
  const t0 = performance.now();
  const reader = exportStream(headMetricsExport as never, run.id, format).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    for (const b of value) if (b === 10) lines++;
    if (gc && ++chunks % 10 === 0) {
      gc();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const rows = lines - (format === 'csv' ? 1 : 0);
  console.log(
    JSON.stringify({ format, rows, MB: +(bytes / 1e6).toFixed(1), seconds: +seconds.toFixed(2), rowsPerSec: Math.round(rows / seconds), liveHeapGrowthMB: +((heapPeak - heap0) / 1e6).toFixed(1) }),
  );
  await closePrisma();
} finally {
  await db.stop();
}
