// The work queue end to end: a real Postgres (restartable), worker processes as real child processes
// (`scripts/worker.ts`), the bundled stories260K model. The known answer for every run is the
// single-process computeHeadWiki on the same texts: queued runs must publish exactly those values.
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePrisma, getPrisma } from '@/lib/db/client';
import { getHeadMetrics } from '@/lib/db/head-metrics';
import { getHeadPattern } from '@/lib/db/head-patterns';
import { getRun } from '@/lib/db/runs';
import { getRunProgress } from '@/lib/db/run-progress';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { headMetrics } from '@/lib/metrics/heads/registry';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { resolveModel } from '@/lib/models/registry';
import { startBoss } from '@/lib/queue/boss';
import { queueSettings } from '@/lib/queue/names';
import { applyMigrations } from '@/scripts/db/migrate';
import { computeHeadWiki, type HeadWiki } from './compute-head-wiki';
import { bundledCorpora, readDocuments } from './corpus-files';
import { metricGroups, planRun } from './plan-run';
import { FAST_QUEUE_ENV, spawnWorker, startRestartablePostgres, waitFor, type RestartablePostgres, type WorkerChild } from './queue-testing/cluster';

const MODEL = 'stories260K';
const MAX_TEXTS = 120;
const SEED = 7;

let db: RestartablePostgres;
let boss: PgBoss;
let documents: string[];
let reference: HeadWiki;
const workers: WorkerChild[] = [];

beforeAll(async () => {
  Object.assign(process.env, FAST_QUEUE_ENV);
  db = await startRestartablePostgres();
  process.env.DATABASE_URL = db.url;
  boss = await startBoss({ databaseUrl: db.url, onError: () => {} });
  const corpus = bundledCorpora(process.cwd())[0];
  documents = (await readDocuments(corpus.path)).slice(0, 300);
  const { model, tokenizer } = await resolveModel(MODEL);
  reference = await computeHeadWiki({ model, tokenizer, runner: await OnnxRunner.create(model), texts: documents.slice(0, MAX_TEXTS), seed: SEED });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await boss?.stop({ graceful: false }).catch(() => {});
  await closePrisma();
  await db?.destroy();
});

async function plan(metrics?: HeadMetric[]) {
  const { run } = await planRun(boss, {
    modelRef: MODEL,
    corpus: { slug: 'tiny-sample', name: 'sample', source: 'TinyStories', license: 'CDLA-Sharing-1.0', documents },
    maxTexts: MAX_TEXTS,
    seed: SEED,
    shards: 2,
    codeVersion: 'test',
    options: { engine: 'onnxruntime-node' },
    metrics,
    settings: queueSettings(),
  });
  return run.id;
}

function startWorker(env: Record<string, string> = {}) {
  const w = spawnWorker(db.url, env);
  workers.push(w);
  return w;
}

async function waitForStatus(runId: string, timeoutMs = 90_000) {
  return waitFor(`run ${runId} to finish`, async () => {
    const run = await getRun(runId);
    return run && run.status !== 'running' ? run : undefined;
  }, timeoutMs, 200);
}

/** The published run's values equal the single-process reference exactly, with no value missing or doubled. */
async function expectReferenceResults(runId: string) {
  const stored = await getHeadMetrics(runId);
  const key = (v: { layer: number; head: number; metricId: string }) => `${v.layer}.${v.head}.${v.metricId}`;
  const expected = [...reference.metrics].sort((a, b) => a.layer - b.layer || a.head - b.head || a.metricId.localeCompare(b.metricId));
  expect(stored.map(key)).toEqual(expected.map(key));
  expect(stored.map((v) => v.value)).toEqual(expected.map((v) => v.value));
  expect(await getPrisma().headPattern.count({ where: { runId } })).toBe(reference.example.patterns.length);
  const p = reference.example.patterns[3];
  const storedPattern = await getHeadPattern(runId, p.layer, p.head);
  expect(storedPattern!.pattern.flat()).toEqual(Array.from(p.pattern));
}

describe('runs on the work queue', { timeout: 180_000 }, () => {
  it('one worker and two workers publish the same results as a single process', async () => {
    const w1 = startWorker();
    const one = await plan();
    expect((await waitForStatus(one)).status).toBe('published');
    await expectReferenceResults(one);

    startWorker();
    const two = await plan();
    const published = await waitForStatus(two);
    expect(published.status).toBe('published');
    await expectReferenceResults(two);

    const progress = await getRunProgress(two);
    const jobCount = metricGroups(headMetrics).length + 1; // + finalize (no corpus scans registered yet)
    expect(progress!.jobs).toMatchObject({ total: jobCount, done: jobCount, failed: 0 });
    expect(progress!.etaSeconds).toBeNull();
    expect(w1.output.join('\n')).toMatch(/started/);
  });

  it('a worker killed with SIGKILL mid-job: the job is retried elsewhere and nothing is missing or doubled', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const victim = startWorker();
    const runId = await plan();
    const killedJob = await waitFor('the worker to take a job', async () => {
      const job = await getPrisma().runJob.findFirst({ where: { runId, status: 'active', workerId: { contains: `-${victim.pid}-` } } });
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
    expect((await waitForStatus(runId, 120_000)).status).toBe('published');
    await expectReferenceResults(runId);
  });

  it('a job that fails every attempt marks the run failed with its error', async () => {
    const unknown: HeadMetric = { ...headMetrics[0], id: 'not_in_the_registry' };
    const runId = await plan([unknown]);
    const run = await waitForStatus(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/head-metrics:texts failed after 3 attempts: unknown head metric "not_in_the_registry"/);
    const job = await getPrisma().runJob.findUniqueOrThrow({ where: { runId_jobKey: { runId, jobKey: 'head-metrics:texts' } } });
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
  });

  it("pg-boss' schema lives beside Prisma's migrations: re-applying them leaves it alone", async () => {
    await applyMigrations(db.url);
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
