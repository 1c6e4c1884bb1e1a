/**
 * The work queue's proofs, shared by the unit test (workers/worker-process.test.ts: a tiny model, seconds) and
 * the full-size script (scripts/prove-queue.ts: the real stories260K weights). Each proof plans a run on real
 * worker processes and a real, restartable Postgres, disturbs it (a second worker, `kill -9`, a Postgres restart,
 * SIGTERM), and returns what happened; the known answer is the single-process run (publishInProcess, the path of
 * `npm start`), or the run one worker computes with one shard per scan.
 * Proofs throw only when they cannot do what they set out to (e.g. never caught a shard in progress); the
 * caller judges the results (`compareRunTables` names every difference).
 */
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { closePrisma, getPrisma } from '@/lib/db/client';
import { getRun, type RunInfo } from '@/lib/db/runs';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { registerWorker } from '@/lib/db/queue-workers';
import { startBoss } from '@/lib/queue/boss';
import { JOBS_QUEUE, queueSettings } from '@/lib/queue/names';
import { parseJobPayload } from '@/lib/queue/payloads';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { resolveModel } from '@/lib/models/registry';
import type { CorpusScan } from '../jobs/corpus-scans';
import { planRun } from '../plan-run';
import { publishHeadWiki } from '../publish-head-wiki';
import { prepareModelForRun } from '../weight-processing';
import { defineRun, type RunDefinition } from '../run-definition';
import { FAST_QUEUE_ENV, spawnWorker, startRestartablePostgres, waitFor, type RestartablePostgres, type WorkerChild } from './cluster';

export interface ProofRunSetup {
  modelRef: string;
  documents: string[];
  maxTexts: number;
  /** Documents the corpus scans read. */
  scanDocuments: number;
  /** Shards per scan in the disturbed runs (the reference run has one). */
  shards: number;
  seed: number;
  /** Defaults to the whole registry. */
  metrics?: readonly HeadMetric[];
  scans?: readonly CorpusScan[];
  /** A comparison corpus for the neuron explorer (stories vs code), as `npm start` has. */
  comparisonDocuments?: string[];
  /** Circuits (tasks, patching, discovery, roles) with this many prompt pairs per task; none when absent. */
  circuitPromptPairs?: number;
}

/** The run definition both paths execute (workers/run-definition.ts). */
export function proofDefinition(setup: ProofRunSetup): RunDefinition {
  return defineRun({
    modelRef: setup.modelRef,
    corpus: PROOF_CORPUS(setup.documents),
    maxTexts: setup.maxTexts,
    seed: setup.seed,
    headExampleDocuments: setup.scanDocuments,
    neuronDocuments: setup.scanDocuments,
    comparisonCorpus: setup.comparisonDocuments
      ? { slug: 'proof-code', name: 'proof comparison corpus', source: 'CPython', license: 'PSF-2.0', documents: setup.comparisonDocuments }
      : null,
    circuitPromptPairs: setup.circuitPromptPairs,
  });
}

const PROOF_CORPUS = (documents: string[]) => ({
  slug: 'proof-corpus',
  name: 'proof corpus',
  source: 'TinyStories',
  license: 'CDLA-Sharing-1.0',
  documents,
});

/** A Postgres, a pg-boss client for planning, and worker processes: what every proof runs on. */
export class QueueCluster {
  /** Workers not stopped or killed yet. */
  readonly workers: WorkerChild[] = [];
  /** Every worker started, for logs. */
  readonly allWorkers: WorkerChild[] = [];

  private constructor(
    readonly db: RestartablePostgres,
    readonly boss: PgBoss,
    private readonly workerEnv: Record<string, string>,
  ) {}

  /** Starts Postgres (migrated) and points this process' Prisma client at it. */
  static async start(workerEnv: Record<string, string> = {}): Promise<QueueCluster> {
    Object.assign(process.env, FAST_QUEUE_ENV, workerEnv);
    const db = await startRestartablePostgres();
    process.env.DATABASE_URL = db.url;
    const boss = await startBoss({ databaseUrl: db.url, onError: () => {} });
    return new QueueCluster(db, boss, workerEnv);
  }

  startWorker(env: Record<string, string> = {}): WorkerChild {
    const w = spawnWorker(this.db.url, { ...this.workerEnv, ...env });
    this.workers.push(w);
    this.allWorkers.push(w);
    void w.exited.then(() => {
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
    });
    return w;
  }

  /** Waits until each worker has registered and polls the queue (so timings do not include process start-up). */
  async ready(workers: WorkerChild[] = this.workers): Promise<void> {
    await waitFor('workers to start', async () => workers.every((w) => w.output.some((l) => l.includes(' started ('))), 120_000, 50);
  }

  async stopWorkers(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop()));
  }

  /**
   * The single-process answer: the run `npm start` / `publish` compute in one process (publishHeadWiki, every
   * registered metric, head examples and neurons over the scans' documents), in this process. Returns its id.
   */
  async publishInProcess(setup: ProofRunSetup): Promise<string> {
    if (setup.metrics || setup.scans)
      throw new Error('publishInProcess computes every metric and scan: compare it with a run planned without subsets');
    const definition = proofDefinition(setup);
    const resolved = await resolveModel(definition.modelRef);
    const { model, weightProcessing } = prepareModelForRun(resolved.model, definition.weightProcessing);
    const runner = await OnnxRunner.create(model);
    try {
      const run = await publishHeadWiki({
        definition,
        model,
        tokenizer: resolved.tokenizer,
        runner,
        codeVersion: 'queue-proof',
        options: { engine: 'onnxruntime-node', weightProcessing },
      });
      return run.id;
    } finally {
      await runner.dispose();
    }
  }

  async plan(setup: ProofRunSetup, shards: number = setup.shards): Promise<string> {
    const { run } = await planRun(this.boss, {
      definition: proofDefinition(setup),
      shards,
      codeVersion: 'queue-proof',
      options: { engine: 'onnxruntime-node' },
      ...(setup.metrics ? { metrics: setup.metrics } : {}),
      ...(setup.scans ? { scans: setup.scans } : {}),
      settings: queueSettings(),
    });
    return run.id;
  }

  async waitForRun(runId: string, timeoutMs = 600_000): Promise<RunInfo> {
    return waitFor(
      `run ${runId} to finish`,
      async () => {
        const run = await getRun(runId);
        return run && run.status !== 'running' ? run : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** Every table holding a run's results, read in full without the run id, in a fixed order. */
  async runTables(runId: string): Promise<Record<string, unknown[]>> {
    const c = new pg.Client({ connectionString: this.db.url });
    await c.connect();
    try {
      const { rows: tables } = await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'runId'
           AND table_name NOT IN ('RunJob', 'RunJobPart', 'QueueWorker', 'SeriesCheckpoint') ORDER BY table_name`,
      );
      const out: Record<string, unknown[]> = {};
      for (const { table_name: table } of tables) {
        const { rows: cols } = await c.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'runId' ORDER BY ordinal_position`,
          [table],
        );
        const list = cols.map((col) => `"${col.column_name}"`).join(', ');
        out[table] = (
          await c.query(`SELECT ${list} FROM "${table}" WHERE "runId" = $1 ORDER BY ${cols.map((_, i) => i + 1).join(', ')}`, [runId])
        ).rows;
      }
      return out;
    } finally {
      await c.end();
    }
  }

  /** What differs between two runs' published rows (empty: identical, nothing missing or doubled); also counts rows. */
  async compareRuns(
    runId: string,
    referenceRunId: string,
    options: { mayBeEmpty?: string[] } = {},
  ): Promise<{ differences: string[]; rows: Record<string, number> }> {
    const [got, want] = await Promise.all([this.runTables(runId), this.runTables(referenceRunId)]);
    return {
      differences: compareRunTables(got, want, options),
      rows: Object.fromEntries(Object.entries(want).map(([t, r]) => [t, r.length])),
    };
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.boss.stop({ graceful: false }).catch(() => {});
    await closePrisma();
    await this.db.destroy();
  }
}

/**
 * Differences between two runs' tables, one line each. An empty reference table counts as a difference (nothing
 * would be proven about it) unless named in `mayBeEmpty`.
 */
export function compareRunTables(
  got: Record<string, unknown[]>,
  want: Record<string, unknown[]>,
  options: { mayBeEmpty?: string[] } = {},
): string[] {
  const out: string[] = [];
  const tables = [...new Set([...Object.keys(got), ...Object.keys(want)])].sort();
  for (const table of tables) {
    const g = got[table] ?? [];
    const w = want[table] ?? [];
    if (w.length === 0 && !options.mayBeEmpty?.includes(table)) out.push(`${table}: the reference run has no rows`);
    if (g.length !== w.length) out.push(`${table}: ${g.length} rows, the reference has ${w.length}`);
    const first = w.findIndex((row, i) => !sameRow(row, g[i]));
    if (first >= 0 && g.length === w.length) out.push(`${table}: row ${first} differs: ${brief(g[first])} vs ${brief(w[first])}`);
  }
  return out;
}

function sameRow(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, bytesAsHex) === JSON.stringify(b, bytesAsHex);
}

function bytesAsHex(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer')
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  return value;
}

function brief(row: unknown): string {
  return JSON.stringify(row, bytesAsHex)?.slice(0, 200) ?? 'missing';
}

async function activeShard(runId: string, scan?: string): Promise<{ jobKey: string; workerId: string | null } | null> {
  return getPrisma().runJob.findFirst({
    where: { runId, kind: 'corpus-shard', status: 'active', ...(scan ? { jobKey: { startsWith: `${scan}:` } } : {}) },
    select: { jobKey: true, workerId: true },
  });
}

function workerOf(cluster: QueueCluster, workerId: string | null): WorkerChild | undefined {
  return cluster.workers.find((w) => workerId?.includes(`-${w.pid}-`));
}

/**
 * Waits until one of the cluster's workers is inside a corpus shard and freezes it there (SIGSTOP): the shard
 * is then certainly in progress — its result not staged — whatever happens next. Returns the frozen worker.
 */
export async function freezeWorkerMidShard(
  cluster: QueueCluster,
  runId: string,
  options: { scan?: string; timeoutMs?: number } = {},
): Promise<{ worker: WorkerChild; jobKey: string }> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await activeShard(runId, options.scan).catch(() => null);
    const worker = job && workerOf(cluster, job.workerId);
    if (job && worker) {
      worker.child.kill('SIGSTOP');
      // Let a commit the worker had already sent land before looking again.
      await new Promise((r) => setTimeout(r, 150));
      const again = await getPrisma().runJob.findUnique({
        where: { runId_jobKey: { runId, jobKey: job.jobKey } },
        select: { status: true, workerId: true },
      });
      if (again?.status === 'active' && again.workerId === job.workerId) return { worker, jobKey: job.jobKey };
      worker.child.kill('SIGCONT');
    }
    const run = await getRun(runId).catch(() => null);
    if (run && run.status !== 'running') throw new Error(`run ${runId} finished (${run.status}) before a worker was caught inside a shard`);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no worker was seen inside a shard of run ${runId} within ${timeoutMs} ms`);
}

export interface Kill9Result {
  runId: string;
  run: RunInfo;
  killedPid: number;
  killedJobKey: string;
  /** The killed job's row after publishing: attempts ≥ 2, finished by another worker. */
  killedJob: { attempts: number; workerId: string | null; status: string };
  /** With `ghost`: the job the ghost took, and its row after publishing (begun once, by a live worker). */
  ghost?: { jobKey: string; job: { attempts: number; workerId: string | null; status: string } };
  seconds: number;
}

/**
 * (2) `kill -9` of a worker inside a shard; `replace` starts another worker at once (as an operator would);
 * `ghost` also has a worker die right after taking the run's first job (proveDeathBeforeBegin), in the same run.
 */
export async function proveKill9(
  cluster: QueueCluster,
  setup: ProofRunSetup,
  options: { replace?: boolean; ghost?: boolean } = {},
): Promise<Kill9Result> {
  const t0 = Date.now();
  const { runId, ghostJobKey } = options.ghost
    ? await planWithGhost(cluster, setup)
    : { runId: await cluster.plan(setup), ghostJobKey: null };
  const { worker, jobKey } = await freezeWorkerMidShard(cluster, runId);
  worker.child.kill('SIGKILL');
  await worker.exited;
  if (options.replace) cluster.startWorker();
  const run = await cluster.waitForRun(runId);
  const job = await getPrisma().runJob.findUniqueOrThrow({
    where: { runId_jobKey: { runId, jobKey } },
    select: { attempts: true, workerId: true, status: true },
  });
  const ghost = ghostJobKey
    ? {
        jobKey: ghostJobKey,
        job: await getPrisma().runJob.findUniqueOrThrow({
          where: { runId_jobKey: { runId, jobKey: ghostJobKey } },
          select: { attempts: true, workerId: true, status: true },
        }),
      }
    : undefined;
  return {
    runId,
    run,
    killedPid: worker.pid,
    killedJobKey: jobKey,
    killedJob: job,
    ...(ghost ? { ghost } : {}),
    seconds: (Date.now() - t0) / 1000,
  };
}

export interface GhostResult {
  runId: string;
  run: RunInfo;
  jobKey: string;
  /** The job's row after publishing: begun once, by a live worker (the ghost never began it). */
  job: { attempts: number; workerId: string | null; status: string };
  seconds: number;
}

/**
 * (2b) A worker that dies right after taking a job from the queue, before marking it active (the window
 * takeOrphanedJobs cannot see): played by this process, which takes a job as a worker would, writes the heartbeat
 * a worker writes when it starts one, and goes silent. The real workers are paused (SIGSTOP) meanwhile, so that the
 * ghost is first to take a job.
 */
export async function proveDeathBeforeBegin(cluster: QueueCluster, setup: ProofRunSetup): Promise<GhostResult> {
  const t0 = Date.now();
  const { runId, ghostJobKey: jobKey } = await planWithGhost(cluster, setup);
  const run = await cluster.waitForRun(runId);
  const job = await getPrisma().runJob.findUniqueOrThrow({
    where: { runId_jobKey: { runId, jobKey } },
    select: { attempts: true, workerId: true, status: true },
  });
  return { runId, run, jobKey, job, seconds: (Date.now() - t0) / 1000 };
}

/** Plans a run and has the ghost (see proveDeathBeforeBegin) take its first job; the ghost's id is `ghost-0-<runId>`. */
export async function planWithGhost(cluster: QueueCluster, setup: ProofRunSetup): Promise<{ runId: string; ghostJobKey: string }> {
  if (cluster.workers.length === 0) throw new Error("planWithGhost: start a worker first (it must release the ghost's job)");
  const paused = [...cluster.workers];
  for (const w of paused) w.child.kill('SIGSTOP');
  try {
    const runId = await cluster.plan(setup);
    const [taken] = await cluster.boss.fetch<unknown>(JOBS_QUEUE);
    if (!taken) throw new Error('planWithGhost: the queue had no job to take');
    const ghostJobKey = parseJobPayload(taken.data).jobKey;
    const ghost = `ghost-0-${runId}`;
    await registerWorker({ id: ghost, host: 'ghost', pid: 0, device: 'cpu' });
    await getPrisma().$executeRaw`
      UPDATE "QueueWorker" SET status = 'busy', "runId" = ${runId}, "jobKey" = ${ghostJobKey}, "lastSeenAt" = (now() AT TIME ZONE 'UTC')
      WHERE id = ${ghost}`;
    return { runId, ghostJobKey };
  } finally {
    for (const w of paused) w.child.kill('SIGCONT');
  }
}

export interface RestartResult {
  runId: string;
  run: RunInfo;
  /** Jobs done when Postgres went down, and in all. */
  jobsDoneAtRestart: number;
  jobsTotal: number;
  /** Workers running before the restart that had exited by the end (0: they all rode it out). */
  workersLost: number;
  seconds: number;
}

/** (3) Postgres stopped for `downMs` while jobs are running, then started again on the same port and data. */
export async function provePostgresRestart(cluster: QueueCluster, setup: ProofRunSetup, downMs: number): Promise<RestartResult> {
  const t0 = Date.now();
  const before = [...cluster.workers];
  const runId = await cluster.plan(setup);
  await waitFor('a job to start', async () => (await getPrisma().runJob.count({ where: { runId, status: 'active' } })) > 0, 120_000, 10);
  const jobsDoneAtRestart = await getPrisma().runJob.count({ where: { runId, status: 'done' } });
  const jobsTotal = await getPrisma().runJob.count({ where: { runId } });
  await cluster.db.restart(downMs);
  const run = await cluster.waitForRun(runId);
  const workersLost = before.filter((w) => !cluster.workers.includes(w)).length;
  return { runId, run, jobsDoneAtRestart, jobsTotal, workersLost, seconds: (Date.now() - t0) / 1000 };
}

export interface SigtermResult {
  runId: string;
  run: RunInfo;
  exitCode: number | null;
  jobKey: string;
  /** The job the worker held at SIGTERM, after publishing. */
  job: { attempts: number; workerId: string | null; status: string };
  stoppedWorkerId: string | null;
  output: string[];
}

/**
 * SIGTERM to a worker inside a shard (delivered while frozen there, so the shard is certainly unfinished):
 * it finishes the shard (or, past a short HEADWIKI_WORKER_STOP_TIMEOUT_MS, releases it), then exits 0.
 * `replace` starts another worker once it has exited (needed when it was the only one).
 */
export async function proveSigterm(
  cluster: QueueCluster,
  setup: ProofRunSetup,
  options: { replace?: boolean; scan?: string } = {},
): Promise<SigtermResult> {
  const runId = await cluster.plan(setup);
  const { worker, jobKey } = await freezeWorkerMidShard(cluster, runId, { scan: options.scan });
  worker.child.kill('SIGTERM');
  worker.child.kill('SIGCONT');
  const exitCode = await worker.exited;
  if (options.replace) cluster.startWorker();
  const run = await cluster.waitForRun(runId);
  const job = await getPrisma().runJob.findUniqueOrThrow({
    where: { runId_jobKey: { runId, jobKey } },
    select: { attempts: true, workerId: true, status: true },
  });
  const row = await getPrisma().queueWorker.findFirst({
    where: { pid: worker.pid },
    orderBy: { startedAt: 'desc' },
    select: { id: true, status: true },
  });
  return { runId, run, exitCode, jobKey, job, stoppedWorkerId: row?.status === 'stopped' ? row.id : null, output: worker.output };
}
