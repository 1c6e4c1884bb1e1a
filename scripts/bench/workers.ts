/**
 * Speed-up from 1 to N worker processes on one run (wall time from planning to published).
 *
 *   npx tsx scripts/bench/workers.ts [--model stories260K] [--workers 1,2] [--shards 4] [--scan-documents 60] [--max-texts 200]
 *
 * A throw-away embedded Postgres; workers are started (and have loaded nothing yet) before each run is
 * planned, so each timing includes the workers' model loading, as a real run would. Prints one JSON line per
 * worker count and a summary.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { closePrisma } from '@/lib/db/client';
import { getRun } from '@/lib/db/runs';
import { getRunProgress } from '@/lib/db/run-progress';
import { startBoss } from '@/lib/queue/boss';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import { planRun } from '@/workers/plan-run';
import { FAST_QUEUE_ENV, spawnWorker, startRestartablePostgres, waitFor, type WorkerChild } from '@/workers/queue-testing/cluster';
import { repoRoot } from '../lib/paths';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'stories260K' },
    workers: { type: 'string', default: '1,2' },
    shards: { type: 'string', default: '4' },
    'scan-documents': { type: 'string', default: '60' },
    'max-texts': { type: 'string', default: '200' },
  },
});
const counts = values.workers!.split(',').map(Number);
Object.assign(process.env, FAST_QUEUE_ENV, { HEADWIKI_WORKER_STALE_S: '60' });

const db = await startRestartablePostgres();
process.env.DATABASE_URL = db.url;
const boss = await startBoss({ databaseUrl: db.url, onError: () => {} });
const documents = await readDocuments(bundledCorpora(repoRoot)[0].path);
const results: { workers: number; seconds: number; jobs: number; tokens: number }[] = [];
try {
  for (const n of counts) {
    const workers: WorkerChild[] = Array.from({ length: n }, () => spawnWorker(db.url));
    await waitFor('workers to start', async () => workers.every((w) => w.output.some((l) => l.includes('started'))), 120_000, 100);
    const t0 = Date.now();
    const { run } = await planRun(boss, {
      modelRef: values.model!,
      corpus: { slug: 'bench-corpus', name: 'TinyStories sample', source: 'TinyStories', license: 'CDLA-Sharing-1.0', documents },
      maxTexts: Number(values['max-texts']),
      seed: 0,
      shards: Number(values.shards),
      scanDocuments: Number(values['scan-documents']),
      codeVersion: 'bench',
      options: { bench: true },
    });
    const final = await waitFor(`run ${run.id}`, async () => {
      const r = await getRun(run.id);
      return r && r.status !== 'running' ? r : undefined;
    }, 3_600_000, 200);
    const seconds = (Date.now() - t0) / 1000;
    if (final.status !== 'published') throw new Error(`run ${run.id} ${final.status}: ${final.error}`);
    const progress = (await getRunProgress(run.id))!;
    const row = { workers: n, seconds: Number(seconds.toFixed(1)), jobs: progress.jobs.total, tokens: progress.tokens.total };
    results.push(row);
    console.log(JSON.stringify(row));
    await Promise.all(workers.map((w) => w.stop()));
  }
  const base = results[0];
  console.log(
    JSON.stringify({
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
      speedup: Object.fromEntries(results.map((r) => [`${r.workers}`, Number((base.seconds / r.seconds).toFixed(2))])),
    }),
  );
} finally {
  await boss.stop({ graceful: false }).catch(() => {});
  await closePrisma();
  await db.destroy();
}
