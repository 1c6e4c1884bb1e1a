// The work queue end to end: a real Postgres (restartable), worker processes as real child processes
// (`scripts/worker.ts`), a tiny seeded-random llama2.c model (queue-testing/tiny-model.ts) so that every proof
// takes seconds. The known answer for every run is the single-process run (publishHeadWiki, `npm start`'s path)
// on the same texts: sharded, crashed, reconnected and interrupted runs must publish exactly its rows. The same
// proofs on the real stories260K weights: `npx tsx scripts/prove-queue.ts`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPrisma } from '@/lib/db/client';
import { getRunProgress } from '@/lib/db/run-progress';
import { headMetrics } from '@/lib/metrics/heads/registry';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { applyMigrations } from '@/lib/postgres/migrate';
import { decodeResult } from '@/lib/queue/result-codec';
import { bundledCorpora, readDocuments } from './corpus-files';
import { corpusScans } from './jobs/corpus-scans';
import { metricGroups } from './plan-run';
import { proveKill9, provePostgresRestart, proveSigterm, QueueCluster, type ProofRunSetup } from './queue-testing/proofs';
import { writeTinyModel } from './queue-testing/tiny-model';

const SHARDS = 3;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-queue-test-'));
let cluster: QueueCluster;
let setup: ProofRunSetup;
/** The known answer: the run computed in one process. */
let referenceRunId: string;

beforeAll(async () => {
  const documents = await readDocuments(bundledCorpora(process.cwd())[0].path, 40);
  // The neuron explorer's comparison corpus too (stories vs code), as in `npm start`'s definition.
  const comparisonDocuments = await readDocuments(bundledCorpora(process.cwd())[1].path, 12);
  // Circuits too: the circuits job's tasks and roles must equal the in-process step's.
  setup = {
    modelRef: writeTinyModel(tmp),
    documents,
    maxTexts: 12,
    scanDocuments: 18,
    shards: SHARDS,
    seed: 7,
    comparisonDocuments,
    circuitPromptPairs: 4,
  };
  cluster = await QueueCluster.start();
  referenceRunId = await cluster.publishInProcess(setup);
}, 120_000);

afterAll(async () => {
  // Kept for diagnosing a failure: every worker's log.
  const log = cluster?.allWorkers.map((w) => [`--- worker ${w.pid}`, ...w.output].join('\n')).join('\n') ?? '';
  fs.writeFileSync(path.join(os.tmpdir(), 'headwiki-worker-process-test.log'), log);
  await cluster?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function expectReferenceResults(runId: string) {
  // A random model has no head that passes a label's causal check (labels are compared by scripts/prove-queue.ts),
  // and performs no circuit task, so its roles may all be missing.
  const { differences, rows } = await cluster.compareRuns(runId, referenceRunId, { mayBeEmpty: ['HeadLabel', 'HeadRole'] });
  expect(differences).toEqual([]);
  // Every kind of result was there to compare: head metrics, composition, patterns, head and neuron examples.
  for (const table of ['HeadMetric', 'HeadComposition', 'HeadPattern', 'HeadExample', 'NeuronExamples', 'NeuronStats', 'CircuitTask']) {
    expect(rows[table], table).toBeGreaterThan(0);
  }
}

describe('runs on the work queue', { timeout: 120_000 }, () => {
  it('(1) two workers and three shards publish exactly what the single-process path publishes for one run definition', async () => {
    cluster.startWorker();
    cluster.startWorker();
    await cluster.ready();
    const runId = await cluster.plan(setup);
    expect((await cluster.waitForRun(runId)).status).toBe('published');
    await expectReferenceResults(runId);

    // Metric groups, then per scan a calibration and its shards (neurons twice: the run's corpus and the comparison
    // corpus), then finalize's per-layer jobs and the publishing finalize; both workers took some.
    const { model } = await getPrisma().run.findUniqueOrThrow({ where: { id: runId }, select: { model: { select: { nLayers: true } } } });
    // Head-metric groups, each scan's calibration and shards (neurons twice: the comparison corpus), the circuits job,
    // the per-layer finalize jobs and the finalize.
    const jobCount = metricGroups(headMetrics).length + (corpusScans.length + 1) * (1 + SHARDS) + 1 + model.nLayers + 1;
    const layerJobs = await getPrisma().runJob.findMany({ where: { runId, kind: 'finalize-layer' }, select: { status: true } });
    expect(layerJobs.map((j) => j.status)).toEqual(Array(model.nLayers).fill('done'));
    // The comparison corpus' rows are there, and its dataset comparison reached the run corpus' neurons.
    const corpora = await getPrisma().neuronStats.groupBy({ by: ['corpusSlug'], where: { runId }, _count: true });
    expect(corpora.map((c) => c.corpusSlug).sort()).toEqual(['proof-code', 'proof-corpus']);
    const own = await getPrisma().neuronStats.findMany({ where: { runId, corpusSlug: 'proof-corpus' }, select: { comparison: true } });
    expect(own.filter((n) => n.comparison !== null).length).toBe(own.length);
    // Neuron shards were staged as a head without streams plus layer parts (a GPT-2-sized shard passes Postgres' 1 GB
    // per value), and the parts went with publishing (only finalize reads them).
    const neuronShard = await getPrisma().runJob.findUniqueOrThrow({
      where: { runId_jobKey: { runId, jobKey: `neurons:0000/${SHARDS}` } },
    });
    expect(decodeResult<{ streams: unknown[] }>(neuronShard.result!).streams).toEqual([]);
    expect(await getPrisma().runJobPart.count({ where: { runId } })).toBe(0);
    const progress = (await getRunProgress(runId))!;
    expect(progress.jobs).toMatchObject({ total: jobCount, done: jobCount, failed: 0 });
    expect(progress.tokens.done).toBe(progress.tokens.total);
    expect(progress.tokens.total).toBeGreaterThan(0);
    expect(new Set(progress.jobs.list.map((j) => j.workerId)).size).toBe(2);
    expect(progress.workers.map((w) => w.device)).toEqual(['cpu', 'cpu']);
    // The same TransformerLens weight processing as the in-process path, recorded with the run.
    const run = await getPrisma().run.findUniqueOrThrow({ where: { id: runId }, select: { options: true } });
    expect((run.options as { weightProcessing?: unknown }).weightProcessing).toMatchObject({
      fold_ln: true,
      center_unembed: true,
      fold_value_biases: true,
    });
  });

  it('(2) crashes: a worker killed with SIGKILL inside a shard, and one dead right after taking a job, in one run', async () => {
    const result = await proveKill9(cluster, setup, { replace: true, ghost: true });
    expect(result.run.status).toBe('published');
    // The shard: redone elsewhere. Nothing missing or doubled: every table equals the single-process run's.
    expect(result.killedJob.status).toBe('done');
    expect(result.killedJob.attempts).toBeGreaterThanOrEqual(2);
    expect(result.killedJob.workerId).not.toContain(`-${result.killedPid}-`);
    await expectReferenceResults(result.runId);
    const logs = cluster.allWorkers.flatMap((w) => w.output).join('\n');
    expect(logs).toMatch(
      new RegExp(
        `${result.killedJobKey.replace(/[/]/g, '\\/')}: worker \\S+-${result.killedPid}-\\S+ stopped responding; releasing its job`,
      ),
    );
    // The job the ghost took but never started (invisible to the RunJob rows): released from its heartbeat row, done once.
    expect(result.ghost!.job).toMatchObject({ status: 'done', attempts: 1 });
    expect(result.ghost!.job.workerId).not.toContain('ghost');
    expect(logs).toContain(`${result.ghost!.jobKey}: worker ghost-0-${result.runId} stopped responding right after taking it`);
  });

  it('(3) Postgres restarted mid-run: workers reconnect and the run completes', async () => {
    const result = await provePostgresRestart(cluster, setup, 500);
    expect(result.run.status).toBe('published');
    expect(result.jobsDoneAtRestart).toBeLessThan(result.jobsTotal);
    expect(result.workersLost).toBe(0);
    await expectReferenceResults(result.runId);
  });

  it('SIGTERM inside a shard: the worker finishes the shard, marks itself stopped and exits 0', async () => {
    const result = await proveSigterm(cluster, setup);
    expect(result.exitCode).toBe(0);
    expect(result.output.join('\n')).toMatch(/SIGTERM: finishing the current job, then stopping/);
    expect(result.job).toMatchObject({ status: 'done', attempts: 1 });
    expect(result.stoppedWorkerId).not.toBeNull();
    expect(result.job.workerId).toBe(result.stoppedWorkerId);
    expect(result.run.status).toBe('published');
    await expectReferenceResults(result.runId);
  });

  it('a job that fails every attempt marks the run failed with its error', async () => {
    const unknown: HeadMetric = { ...headMetrics[0], id: 'not_in_the_registry' };
    const runId = await cluster.plan({ ...setup, metrics: [unknown], scans: [] });
    const run = await cluster.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/head-metrics:texts failed after 3 attempts: unknown head metric "not_in_the_registry"/);
    const job = await getPrisma().runJob.findUniqueOrThrow({ where: { runId_jobKey: { runId, jobKey: 'head-metrics:texts' } } });
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
  });

  it("pg-boss' schema lives beside Prisma's migrations: re-applying them leaves it alone", async () => {
    await applyMigrations(cluster.db.url);
    const c = new pg.Client({ connectionString: cluster.db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'pgboss'`);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });
});
