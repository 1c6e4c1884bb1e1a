/**
 * Bulk export: throughput and memory of the streamed export against a baseline measured in the same run.
 *   npx tsx --expose-gc scripts/bench/export-stream.ts [layers=200] [format=csv|jsonl]   (TABLES=head-metrics,... to pick)
 * Seeds a throw-away embedded Postgres with one published run: layers × 100 heads × 20 metrics head-metric
 * rows, and (layers/10) layers × 512 neurons of statistics and 12 examples each. Then, per table:
 *   stream   — lib/export's stream (one keyset page per pull), read to the end;
 *   baseline — the naive way: read every row in one query, format it all, join one string.
 * Prints rows/s of each, the ratio stream/baseline (≥ ~1 means streaming costs nothing in speed), and the
 * live-heap growth of each (GC forced every few chunks): the stream's is bounded by one page, the baseline's
 * grows with the table.
 */
import { startTestDatabase } from '../../lib/postgres/test-database';

const L = Number(process.argv[2] ?? 200);
const format = (process.argv[3] ?? 'csv') as 'csv' | 'jsonl';
const H = 100;
const M = 20;
const NL = Math.max(1, Math.round(L / 10));
const N = 512;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with --expose-gc to measure the live heap');

const db = await startTestDatabase();
process.env.DATABASE_URL = db.url;
try {
  // After migrating: the Prisma client must not load before the migration engine.
  const { upsertModel } = await import('../../lib/db/models');
  const { createRun, publishRun } = await import('../../lib/db/runs');
  const { saveHeadMetrics } = await import('../../lib/db/head-metrics');
  const { saveNeuronCorpus } = await import('../../lib/db/neurons');
  const { fixtureModel } = await import('../../lib/api/openapi/contract-fixtures');
  const { exportStream, formatRow } = await import('../../lib/export/stream');
  const { findExportTable } = await import('../../lib/export/tables');
  const { closePrisma } = await import('../../lib/db/client');

  const model = { ...fixtureModel('bench-export', L, H), dMlp: N };
  await upsertModel(model);
  const metricVersions = Object.fromEntries(Array.from({ length: M }, (_, i) => [`m${i}`, 1]));
  const run = await createRun({ modelSlug: model.slug, options: {}, codeVersion: 'bench', seed: 1, metricVersions });
  for (let l0 = 0; l0 < L; l0 += 50) {
    const rows = [];
    for (let l = l0; l < Math.min(L, l0 + 50); l++)
      for (let h = 0; h < H; h++)
        for (let m = 0; m < M; m++)
          rows.push({ layer: l, head: h, metricId: `m${m}`, metricVersion: 1, value: Math.sin(l * 7 + h * 3 + m) });
    await saveHeadMetrics(run.id, rows);
  }
  const stat = { values: [1], mean: 1, std: 0 };
  for (let layer = 0; layer < NL; layer++) {
    const neurons = Array.from({ length: N }, (_, neuron) => ({
      stats: {
        corpusSlug: 'bench',
        layer,
        site: 'post',
        neuron,
        count: 1e5,
        maxAct: 1 + Math.sin(neuron),
        minAct: -0.1,
        mean: 0.1,
        variance: 0.2,
        skewness: 1,
        kurtosis: 4,
        density: 0.1,
        topTokenShare: 0.3,
        histLo: -0.1,
        histHi: 2,
        histogram: Array.from({ length: 52 }, (_, i) => i),
        quantileLevels: [0.25, 0.5, 0.75, 0.9, 0.95],
        quantiles: [0, 0.1, 0.2, 0.5, 1],
        minimalRate: 0.5,
        comparison: null,
        warning: null,
        effects: { logitTop: [{ token: 1, piece: '▁a', score: 1 }], logitBottom: [], inputTop: [] },
      },
      examples: Array.from({ length: 12 }, (_, rank) => ({
        kind: 'top' as const,
        rank,
        value: 2 - rank / 10,
        contextId: rank,
        docIndex: rank,
        chunk: 0,
        position: 20,
        windowStart: 0,
        tokenIds: Array.from({ length: 32 }, (_, i) => i),
        tokens: Array.from({ length: 32 }, (_, i) => `▁w${i}`),
        acts: Array.from({ length: 32 }, (_, i) => Math.sin(i + rank)),
      })),
    }));
    await saveNeuronCorpus(
      run.id,
      [
        {
          corpusSlug: 'bench',
          layer,
          site: 'post',
          nNeurons: N,
          contexts: 100,
          tokens: 1e5,
          baseline: { directions: 1, stats: { max: stat } },
          options: {},
        },
      ],
      neurons,
    );
  }
  await publishRun(run.id, 1);

  /** `tick()` after each chunk samples the live heap every 10th time; `tick(true)` samples now. */
  async function measure(label: string, body: (tick: (now?: boolean) => void) => Promise<{ bytes: number; rows: number }>) {
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let heapPeak = heap0;
    let ticks = 0;
    const tick = (now = false) => {
      if (gc && (++ticks % 10 === 0 || now)) {
        gc();
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
    };
    const t0 = performance.now();
    const { bytes, rows } = await body(tick);
    const seconds = (performance.now() - t0) / 1000;
    gc?.();
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    return {
      label,
      rows,
      MB: +(bytes / 1e6).toFixed(1),
      seconds: +seconds.toFixed(2),
      rowsPerSec: Math.round(rows / seconds),
      liveHeapGrowthMB: +((heapPeak - heap0) / 1e6).toFixed(1),
    };
  }

  // Each side is measured twice, alternating (stream, baseline, stream, baseline); the faster of each counts,
  // so neither pays alone for a cold cache or a cold JIT.
  const best = <T extends { seconds: number }>(a: T, b: T) => (a.seconds <= b.seconds ? a : b);
  for (const id of (process.env.TABLES ?? 'head-metrics,neuron-stats,neuron-examples').split(',')) {
    const table = findExportTable(id)!;
    const streamOnce = () =>
      measure('stream', async (tick) => {
        let bytes = 0;
        let lines = 0;
        const reader = exportStream(table, run.id, format).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          for (let i = value.indexOf(10); i >= 0; i = value.indexOf(10, i + 1)) lines++;
          tick();
        }
        return { bytes, rows: lines - (format === 'csv' ? 1 : 0) };
      });
    // Baseline: the whole table in one read (a page as large as the table), formatted into one string.
    const baselineOnce = () =>
      measure('baseline', async (tick) => {
        const all = await table.readPage(run.id, undefined, 1e9);
        tick(true);
        const held = all.map((r) => formatRow(table, r, format)).join('');
        tick(true); // rows and text both alive here
        return { bytes: Buffer.byteLength(held), rows: all.length };
      });
    const s1 = await streamOnce();
    const b1 = await baselineOnce();
    const streamed = best(s1, await streamOnce());
    const baseline = best(b1, await baselineOnce());
    if (streamed.rows !== baseline.rows) throw new Error(`${id}: stream gave ${streamed.rows} rows, baseline ${baseline.rows}`);
    console.log(
      JSON.stringify({
        table: id,
        format,
        rows: streamed.rows,
        MB: streamed.MB,
        stream: { seconds: streamed.seconds, rowsPerSec: streamed.rowsPerSec, liveHeapGrowthMB: streamed.liveHeapGrowthMB },
        baseline: { seconds: baseline.seconds, rowsPerSec: baseline.rowsPerSec, liveHeapGrowthMB: baseline.liveHeapGrowthMB },
        speedRatio: +(streamed.rowsPerSec / baseline.rowsPerSec).toFixed(2),
        heapRatio: baseline.liveHeapGrowthMB > 0 ? +(streamed.liveHeapGrowthMB / baseline.liveHeapGrowthMB).toFixed(3) : null,
      }),
    );
  }
  await closePrisma();
} finally {
  await db.stop();
}
