/**
 * How far a run is: its jobs (done/total), tokens processed, rate, ETA and the workers on it. Read by
 * the CLI's progress bar and by /api/v1/runs/{runId}/progress (the run page polls it).
 */
import { getPrisma } from './client';
import { listRunWorkers, type WorkerInfo } from './queue-workers';
import { getRun, type RunStatus } from './runs';
import { summarizeStages, type StageProgress } from './run-stages';

export interface RunJobProgress {
  jobKey: string;
  kind: string;
  status: 'queued' | 'active' | 'done' | 'failed';
  attempts: number;
  workerId: string | null;
  tokensDone: number;
  tokensTotal: number;
  error: string | null;
}

export interface RunProgress {
  runId: string;
  modelSlug: string;
  status: RunStatus;
  error: string | null;
  /** False for runs computed in one process (no jobs): only status is known. */
  queued: boolean;
  jobs: { total: number; done: number; active: number; queued: number; failed: number; list: RunJobProgress[] };
  tokens: { done: number; total: number };
  elapsedSeconds: number;
  tokensPerSecond: number | null;
  /** Seconds until done, from tokens when every job has counted its tokens, else from jobs; null when unknown. */
  etaSeconds: number | null;
  workers: Omit<WorkerInfo, 'startedAt' | 'lastSeenAt'>[];
  /** Per stage (head metrics, each corpus scan, finalize's per-layer jobs, publish): jobs, tokens, tokens/s, ETA. */
  stages: StageProgress[];
}

export async function getRunProgress(runId: string): Promise<RunProgress | null> {
  const run = await getRun(runId);
  if (!run) return null;
  const prisma = getPrisma();
  const [jobs, clock] = await Promise.all([
    prisma.runJob.findMany({
      where: { runId },
      orderBy: { jobKey: 'asc' },
      select: {
        jobKey: true,
        kind: true,
        status: true,
        attempts: true,
        workerId: true,
        tokensDone: true,
        tokensTotal: true,
        error: true,
        startedAt: true,
        finishedAt: true,
      },
    }),
    prisma.$queryRaw<{ elapsed: number; now: number }[]>`
      SELECT EXTRACT(EPOCH FROM (COALESCE("publishedAt", (now() AT TIME ZONE 'UTC')) - "createdAt"))::float8 AS elapsed,
        EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC'))::float8 AS now
      FROM "Run" WHERE id = ${runId}`,
  ]);
  const workers = jobs.length > 0 ? await listRunWorkers(runId) : [];
  const count = (s: RunJobProgress['status']) => jobs.filter((j) => j.status === s).length;
  const tokensDone = jobs.reduce((a, j) => a + j.tokensDone, 0);
  const tokensTotal = jobs.reduce((a, j) => a + j.tokensTotal, 0);
  const elapsedSeconds = Math.max(0, clock[0]?.elapsed ?? 0);
  const done = count('done');
  return {
    runId,
    modelSlug: run.modelSlug,
    status: run.status,
    error: run.error,
    queued: jobs.length > 0,
    jobs: {
      total: jobs.length,
      done,
      active: count('active'),
      queued: count('queued'),
      failed: count('failed'),
      list: jobs.map(({ startedAt: _s, finishedAt: _f, ...j }) => j),
    },
    tokens: { done: tokensDone, total: tokensTotal },
    elapsedSeconds,
    tokensPerSecond: tokensDone > 0 && elapsedSeconds > 0 ? tokensDone / elapsedSeconds : null,
    etaSeconds: run.status === 'running' ? estimateEta(jobs, elapsedSeconds) : null,
    workers: workers.map(({ startedAt: _s, lastSeenAt: _l, ...w }) => w),
    // Job times are the database's clock (timestamps without zone, in UTC), compared with its own now.
    stages: summarizeStages(jobs, clock[0] ? new Date(clock[0].now * 1000) : new Date()),
  };
}

/**
 * Remaining time at the rate so far: by tokens while the scans, having all counted theirs, still read; else (before
 * that, and once every token is read but jobs such as finalize remain) by finished jobs.
 */
export function estimateEta(
  jobs: { status: string; tokensDone: number; tokensTotal: number; kind: string }[],
  elapsedSeconds: number,
): number | null {
  const tokensTotal = jobs.reduce((a, j) => a + j.tokensTotal, 0);
  const tokensDone = jobs.reduce((a, j) => a + j.tokensDone, 0);
  let fraction: number;
  const tokensKnown = tokensTotal > 0 && jobs.every((j) => j.tokensTotal > 0 || j.kind !== 'corpus-shard');
  if (tokensKnown && tokensDone < tokensTotal) fraction = tokensDone / tokensTotal;
  else fraction = jobs.length > 0 ? jobs.filter((j) => j.status === 'done').length / jobs.length : 0;
  if (!(fraction > 0) || elapsedSeconds <= 0) return null;
  return Math.max(0, (elapsedSeconds * (1 - fraction)) / fraction);
}
