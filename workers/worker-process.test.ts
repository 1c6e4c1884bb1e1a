// The work queue end to end: a real Postgres (restartable), worker processes as real child processes
// (`scripts/worker.ts`), the bundled stories260K model. The known answer for every run is the
// single-process computeHeadWiki on the same texts: queued runs must publish exactly those values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePrisma, getPrisma } from '@/lib/db/client';
import { getRun } from '@/lib/db/runs';
import { getRunProgress } from '@/lib/db/run-progress';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { startBoss } from '@/lib/queue/boss';
import { queueSettings } from '@/lib/queue/names';
import { applyMigrations } from '@/scripts/db/migrate';
import { bundledCorpora, readDocuments } from './corpus-files';
import { corpusScans, type CorpusScan } from './jobs/corpus-scans';
import { metricGroups, planRun } from './plan-run';
import { FAST_QUEUE_ENV, spawnWorker, startRestartablePostgres, waitFor, type RestartablePostgres, type WorkerChild } from './queue-testing/cluster';

const MODEL = 'stories260K';
const MAX_TEXTS = 40;
/** The metrics head labels are confirmed with, and one weights-only metric: every kind of job, kept fast. */
const METRICS = headMetrics.filter((m) => [...LABEL_RULES.map((r) => r.metricId), 'copying_ov'].includes(m.id));
const SEED = 7;
/** Documents the corpus scans (head examples, neurons) read: split into 3 shards. */
const SCAN_DOCUMENTS = 12;

let db: RestartablePostgres;
let boss: PgBoss;
let documents: string[];
/** The known answer: the run computed by one worker with every scan in one shard (the single-process computation). */
let referenceRunId: string;
const workers: WorkerChild[] = [];
const allWorkers: WorkerChild[] = [];

beforeAll(async () => {
  Object.assign(process.env, FAST_QUEUE_ENV);
  db = await startRestartablePostgres();
  process.env.DATABASE_URL = db.url;
  boss = await startBoss({ databaseUrl: db.url, onError: () => {} });
  const corpus = bundledCorpora(process.cwd())[0];
  documents = (await readDocuments(corpus.path)).slice(0, 300);
});

const CORPUS = () => ({ slug: 'tiny-sample', name: 'sample', source: 'TinyStories', license: 'CDLA-Sharing-1.0', documents });

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  // Kept for diagnosing a failure: every worker's log.
  fs.writeFileSync(path.join(os.tmpdir(), 'headwiki-worker-process-test.log'), allWorkers.map((w) => [`--- worker ${w.pid}`, ...w.output].join('\n')).join('\n'));
  await boss?.stop({ graceful: false }).catch(() => {});
  await closePrisma();
  await db?.destroy();
});

async function plan(options: { metrics?: HeadMetric[]; scans?: CorpusScan[]; shards?: number } = {}) {
  const { run } = await planRun(boss, {
    modelRef: MODEL,
    corpus: CORPUS(),
    maxTexts: MAX_TEXTS,
    seed: SEED,
    shards: options.shards ?? 3,
    scanDocuments: SCAN_DOCUMENTS,
    codeVersion: 'test',
    options: { engine: 'onnxruntime-node' },
    metrics: options.metrics ?? METRICS,
    scans: options.scans,
    settings: queueSettings(),
  });
  return run.id;
}

function startWorker(env: Record<string, string> = {}) {
  const w = spawnWorker(db.url, env);
  workers.push(w);
  allWorkers.push(w);
  return w;
}

async function waitForStatus(runId: string, timeoutMs = 300_000) {
  return waitFor(`run ${runId} to finish`, async () => {
    const run = await getRun(runId);
    return run && run.status !== 'running' ? run : undefined;
  }, timeoutMs, 200);
}

/** Every table holding a run's results, read in full without the run id, in a fixed order. */
async function runTables(runId: string): Promise<Record<string, unknown[]>> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const { rows: tables } = await c.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'runId'
         AND table_name NOT IN ('RunJob', 'QueueWorker') ORDER BY table_name`,
    );
    const out: Record<string, unknown[]> = {};
    for (const { table_name: table } of tables) {
      const { rows: cols } = await c.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'runId' ORDER BY ordinal_position`,
        [table],
      );
      const list = cols.map((col) => `"${col.column_name}"`).join(', ');
      out[table] = (await c.query(`SELECT ${list} FROM "${table}" WHERE "runId" = $1 ORDER BY ${cols.map((_, i) => i + 1).join(', ')}`, [runId])).rows;
    }
    return out;
  } finally {
    await c.end();
  }
}

/** The queued run published exactly the single-process run's rows, in every results table: nothing missing, doubled or different. */
async function expectReferenceResults(runId: string) {
  const [got, want] = await Promise.all([runTables(runId), runTables(referenceRunId)]);
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const table of Object.keys(want)) {
    expect(want[table].length, `${table} of the reference run`).toBeGreaterThan(0);
    expect(got[table], table).toEqual(want[table]);
  }
}

describe('runs on the work queue', { timeout: 400_000 }, () => {
  it('two workers and three shards publish exactly what one worker with one shard per scan does', async () => {
    startWorker();
    referenceRunId = await plan({ shards: 1 });
    expect((await waitForStatus(referenceRunId)).status).toBe('published');

    startWorker();
    const runId = await plan({ shards: 3 });
    expect((await waitForStatus(runId)).status).toBe('published');
    await expectReferenceResults(runId);

    // Metric groups, then per scan a calibration and 3 shards, then finalize.
    const jobCount = metricGroups(METRICS).length + corpusScans.length * 4 + 1;
    const progress = await getRunProgress(runId);
    expect(progress!.jobs).toMatchObject({ total: jobCount, done: jobCount, failed: 0 });
    expect(progress!.tokens.done).toBe(progress!.tokens.total);
    expect(progress!.tokens.total).toBeGreaterThan(0);
    expect(new Set(progress!.jobs.list.map((j) => j.workerId)).size).toBe(2);
  });

  it('a worker killed with SIGKILL mid-shard: the job is retried elsewhere and nothing is missing or doubled', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const victim = startWorker();
    const runId = await plan();
    const killedJob = await waitFor('the worker to take a job', async () => {
      const job = await getPrisma().runJob.findFirst({ where: { runId, kind: 'corpus-shard', status: 'active', workerId: { contains: `-${victim.pid}-` } } });
      return job ?? undefined;
    }, 60_000, 20);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const survivor = startWorker();
    expect((await waitForStatus(runId)).status).toBe('published');
    const job = await getPrisma().runJob.findUniqueOrThrow({ where: { runId_jobKey: { runId, jobKey: killedJob.jobKey } } });
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.workerId).not.toContain(`-${victim.pid}-`);
    await expectReferenceResults(runId);
    expect(survivor.output.join('\n')).toMatch(/stopped responding; releasing its job/);
  });

  it('Postgres restarted mid-run: workers reconnect and the run completes', async () => {
    const runId = await plan();
    await waitFor('a job to start', async () => (await getPrisma().runJob.count({ where: { runId, status: { in: ['active', 'done'] } } })) > 0, 60_000, 20);
    await db.restart(1500);
    expect((await waitForStatus(runId)).status).toBe('published');
    await expectReferenceResults(runId);
  });

  it('a job that fails every attempt marks the run failed with its error', async () => {
    const unknown: HeadMetric = { ...headMetrics[0], id: 'not_in_the_registry' };
    const runId = await plan({ metrics: [unknown], scans: [] });
    const run = await waitForStatus(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/head-metrics:texts failed after 3 attempts: unknown head metric "not_in_the_registry"/);
    const job = await getPrisma().runJob.findUniqueOrThrow({ where: { runId_jobKey: { runId, jobKey: 'head-metrics:texts' } } });
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
  });

  it("pg-boss' schema lives beside Prisma's migrations: re-applying them leaves it alone", async () => {
    await applyMigrations(db.url, process.env.H9_TMP_MIGRATIONS ? { migrationsDir: process.env.H9_TMP_MIGRATIONS } : {});
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'pgboss'`);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });
});
