/**
 * RunJob rows: one per job of a run on the work queue (lib/queue). They carry the job's progress and,
 * once done, its staged result. Results stay here, invisible to pages, until the run's finalize job
 * merges them and publishes the run in one transaction. Every write is keyed by (runId, jobKey), so a
 * retried job overwrites its own row. Times are the database's clock (workers' clocks may differ).
 */
import { z } from 'zod';
import { getPrisma } from './client';
import { lockRunStatus, LONG_TRANSACTION } from './run-lock';
import { parseInput, runIdSchema } from './validate';
import type { RunInfo } from './runs';
import { runInfoInclude, toRunInfo } from './runs';

export const FINALIZE_JOB_KEY = 'finalize';
/** Finalize's per-layer parts (labels, examples, neuron rows of one layer): any worker takes them, then `finalize` publishes. */
export const FINALIZE_LAYER_KIND = 'finalize-layer';

/** `finalize-layer:<layer, zero-padded>/<layers>`: keys sort in layer order. */
export function finalizeLayerJobKey(layer: number, layers: number): string {
  return `${FINALIZE_LAYER_KIND}:${String(layer).padStart(4, '0')}/${layers}`;
}

/** Jobs of a run still to do before finalize's per-layer parts can start (head metrics, calibrations, shards). */
export async function countComputeJobsLeft(runId: string): Promise<number> {
  return getPrisma().runJob.count({
    where: { runId, status: { not: 'done' }, kind: { notIn: [FINALIZE_LAYER_KIND, 'finalize'] } },
  });
}

/** The layers of a run's per-layer finalize jobs (from their planned rows). */
export async function finalizeLayers(runId: string): Promise<number[]> {
  const rows = await getPrisma().runJob.findMany({
    where: { runId, kind: FINALIZE_LAYER_KIND },
    select: { jobKey: true },
    orderBy: { jobKey: 'asc' },
  });
  return rows.map((r) => Number(r.jobKey.slice(FINALIZE_LAYER_KIND.length + 1).split('/')[0]));
}

const jobKeySchema = z.string().min(1).max(200);
const plannedJobs = z
  .array(z.object({ jobKey: jobKeySchema, kind: z.string().min(1), tokensTotal: z.number().int().nonnegative().default(0) }))
  .min(1);

/** Records a run's planned jobs (status queued). */
export async function createRunJobs(runId: string, jobs: { jobKey: string; kind: string; tokensTotal?: number }[]): Promise<void> {
  parseInput(runIdSchema, runId, 'createRunJobs');
  const rows = parseInput(plannedJobs, jobs, 'createRunJobs');
  if (new Set(rows.map((j) => j.jobKey)).size !== rows.length) throw new Error('createRunJobs: duplicate job keys');
  await getPrisma().runJob.createMany({ data: rows.map((j) => ({ runId, ...j })) });
}

export type BeginOutcome = 'started' | 'already-done' | 'run-not-running';

/**
 * Marks a job active for this attempt. `already-done`: a previous attempt staged the result (its worker
 * died before telling the queue); `run-not-running`: the run was published or failed meanwhile.
 */
export async function beginRunJob(runId: string, jobKey: string, attempt: { workerId: string; queueJobId: string }): Promise<BeginOutcome> {
  return getPrisma().$transaction(async (tx) => {
    const status = await lockRunStatus(tx, runId, 'FOR SHARE');
    if (status === null) throw new Error(`beginRunJob: run ${runId} does not exist`);
    if (status !== 'running') return 'run-not-running';
    const job = await tx.runJob.findUnique({ where: { runId_jobKey: { runId, jobKey } }, select: { status: true } });
    if (!job) throw new Error(`beginRunJob: run ${runId} has no job "${jobKey}"`);
    if (job.status === 'done') return 'already-done';
    await tx.$executeRaw`
      UPDATE "RunJob" SET status = 'active', attempts = attempts + 1, "workerId" = ${attempt.workerId},
        "queueJobId" = ${attempt.queueJobId}, "tokensDone" = 0, "startedAt" = (now() AT TIME ZONE 'UTC'),
        "finishedAt" = NULL, "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "runId" = ${runId} AND "jobKey" = ${jobKey}`;
    return 'started' as const;
  });
}

/** Progress of the current attempt (ignored if another attempt took the job over). */
export async function reportRunJobProgress(
  runId: string,
  jobKey: string,
  queueJobId: string,
  p: { tokensDone: number; tokensTotal: number },
): Promise<void> {
  await getPrisma().$executeRaw`
    UPDATE "RunJob" SET "tokensDone" = ${Math.round(p.tokensDone)}, "tokensTotal" = ${Math.round(p.tokensTotal)},
      "updatedAt" = (now() AT TIME ZONE 'UTC')
    WHERE "runId" = ${runId} AND "jobKey" = ${jobKey} AND "queueJobId" = ${queueJobId} AND status = 'active'
      AND EXISTS (SELECT 1 FROM "Run" WHERE id = ${runId} AND status = 'running')`;
}

/**
 * Stages the job's result and marks it done, in one transaction (so a result is either wholly there or
 * not at all). Returns how many jobs of the run, besides finalize, are not done yet; null when the run
 * is no longer running (the result is then dropped).
 */
export async function stageRunJobResult(runId: string, jobKey: string, result: Buffer, tokens?: number): Promise<number | null> {
  return getPrisma().$transaction(async (tx) => {
    const status = await lockRunStatus(tx, runId, 'FOR SHARE');
    if (status !== 'running') return null;
    const updated = await tx.$executeRaw`
      UPDATE "RunJob" SET status = 'done', result = ${result}, error = NULL,
        "tokensDone" = GREATEST("tokensTotal", ${tokens ?? 0}), "tokensTotal" = GREATEST("tokensTotal", ${tokens ?? 0}),
        "finishedAt" = (now() AT TIME ZONE 'UTC'), "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "runId" = ${runId} AND "jobKey" = ${jobKey}`;
    if (updated !== 1) throw new Error(`stageRunJobResult: run ${runId} has no job "${jobKey}"`);
    return tx.runJob.count({ where: { runId, status: { not: 'done' }, jobKey: { not: FINALIZE_JOB_KEY } } });
  }, LONG_TRANSACTION);
}

/**
 * Stages one part of a job's result (RunJobPart), before stageRunJobResult marks the job done: one statement per part,
 * so no transaction holds hundreds of MB. A retried attempt rewrites the same parts (the computation is deterministic).
 */
export async function stageRunJobPart(runId: string, jobKey: string, part: number, result: Buffer): Promise<void> {
  await getPrisma().$executeRaw`
    INSERT INTO "RunJobPart" ("runId", "jobKey", part, result) VALUES (${runId}, ${jobKey}, ${part}, ${result})
    ON CONFLICT ("runId", "jobKey", part) DO UPDATE SET result = EXCLUDED.result`;
}

/** A job's staged parts (every part, or only `part`), in part order. */
export async function getStagedParts(runId: string, jobKey: string, part?: number): Promise<{ part: number; result: Uint8Array }[]> {
  return getPrisma().runJobPart.findMany({
    where: { runId, jobKey, ...(part === undefined ? {} : { part }) },
    orderBy: { part: 'asc' },
    select: { part: true, result: true },
  });
}

/** An attempt failed and the queue will retry it: back to queued, with the error shown meanwhile. */
export async function recordRunJobError(runId: string, jobKey: string, error: string, final: boolean): Promise<void> {
  await getPrisma().$executeRaw`
    UPDATE "RunJob" SET status = ${final ? 'failed' : 'queued'}::"RunJobStatus", error = ${error.slice(0, 4000)},
      "updatedAt" = (now() AT TIME ZONE 'UTC')
    WHERE "runId" = ${runId} AND "jobKey" = ${jobKey} AND status <> 'done'
      AND EXISTS (SELECT 1 FROM "Run" WHERE id = ${runId} AND status <> 'published')`;
}

export interface StagedResult {
  jobKey: string;
  kind: string;
  result: Uint8Array;
}

/** The staged results of a run's done jobs, in jobKey order. */
export async function getStagedResults(runId: string, kind?: string, jobKey?: string): Promise<StagedResult[]> {
  const rows = await getPrisma().runJob.findMany({
    where: { runId, status: 'done', ...(kind ? { kind } : {}), ...(jobKey ? { jobKey } : {}), result: { not: null } },
    orderBy: { jobKey: 'asc' },
    select: { jobKey: true, kind: true, result: true },
  });
  return rows.map((r) => ({ jobKey: r.jobKey, kind: r.kind, result: r.result! }));
}

/**
 * Publishes a run whose jobs are all done, together with marking its finalize job done, in one
 * transaction. Refuses (throws) when a job is not done: a run is published only when every job succeeded.
 */
export async function publishRunFromJobs(runId: string): Promise<RunInfo> {
  return getPrisma().$transaction(async (tx) => {
    const status = await lockRunStatus(tx, runId, 'FOR UPDATE');
    if (status === null) throw new Error(`publishRunFromJobs: run ${runId} does not exist`);
    if (status !== 'running') throw new Error(`publishRunFromJobs: run ${runId} is ${status}; only a running run can be published`);
    const pending = await tx.runJob.findMany({
      where: { runId, status: { not: 'done' }, jobKey: { not: FINALIZE_JOB_KEY } },
      select: { jobKey: true, status: true },
    });
    if (pending.length > 0) {
      throw new Error(
        `publishRunFromJobs: run ${runId} has unfinished jobs: ${pending.map((j) => `${j.jobKey} (${j.status})`).join(', ')}`,
      );
    }
    await tx.$executeRaw`
      UPDATE "RunJob" SET status = 'done', error = NULL, "finishedAt" = (now() AT TIME ZONE 'UTC'), "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "runId" = ${runId} AND "jobKey" = ${FINALIZE_JOB_KEY}`;
    // Layer parts are read only by finalize (GBs for a GPT-2-sized run's neuron shards): not kept with the published run.
    await tx.$executeRaw`DELETE FROM "RunJobPart" WHERE "runId" = ${runId}`;
    await tx.$executeRaw`
      UPDATE "Run" SET status = 'published', "publishedAt" = (now() AT TIME ZONE 'UTC'),
        "durationMs" = LEAST(2147483647, GREATEST(0, (EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - "createdAt")) * 1000)::bigint))::int
      WHERE id = ${runId}`;
    return toRunInfo(await tx.run.findUniqueOrThrow({ where: { id: runId }, include: runInfoInclude }));
  }, LONG_TRANSACTION);
}

export interface OrphanedJob {
  runId: string;
  jobKey: string;
  queueJobId: string;
  workerId: string | null;
}

/**
 * Active jobs of running runs whose worker stopped sending heartbeats (killed, machine lost): set back
 * to queued and returned, so that the caller fails their queue jobs and the queue retries them.
 */
export async function takeOrphanedJobs(staleSeconds: number, exceptWorkerId?: string): Promise<OrphanedJob[]> {
  if (!(staleSeconds > 0)) throw new Error(`takeOrphanedJobs: staleSeconds must be positive, got ${staleSeconds}`);
  return getPrisma().$queryRaw<OrphanedJob[]>`
    UPDATE "RunJob" j SET status = 'queued',
      error = 'worker ' || COALESCE(j."workerId", '?') || ' stopped responding; job released for retry',
      "updatedAt" = (now() AT TIME ZONE 'UTC')
    FROM "Run" r
    WHERE r.id = j."runId" AND r.status = 'running' AND j.status = 'active' AND j."queueJobId" IS NOT NULL
      AND j."workerId" IS DISTINCT FROM ${exceptWorkerId ?? null}
      AND NOT EXISTS (
        SELECT 1 FROM "QueueWorker" w WHERE w.id = j."workerId"
          AND w."lastSeenAt" > (now() AT TIME ZONE 'UTC') - make_interval(secs => ${staleSeconds})
          AND w.status <> 'stopped')
    RETURNING j."runId" AS "runId", j."jobKey" AS "jobKey", j."queueJobId" AS "queueJobId", j."workerId" AS "workerId"`;
}

export interface SilentWorkerJob {
  workerId: string;
  runId: string;
  jobKey: string;
  lastSeenAt: Date;
}

/**
 * Jobs a silent worker had taken from the queue but not yet marked active (it died between pg-boss' fetch and
 * beginRunJob): its heartbeat row names the job, whose RunJob row is still queued. takeOrphanedJobs cannot see
 * them; the caller checks that the queue job is still active since before the worker fell silent, and fails it.
 */
export async function jobsOfSilentWorkers(staleSeconds: number, exceptWorkerId?: string): Promise<SilentWorkerJob[]> {
  if (!(staleSeconds > 0)) throw new Error(`jobsOfSilentWorkers: staleSeconds must be positive, got ${staleSeconds}`);
  return getPrisma().$queryRaw<SilentWorkerJob[]>`
    SELECT w.id AS "workerId", j."runId" AS "runId", j."jobKey" AS "jobKey", w."lastSeenAt" AS "lastSeenAt"
    FROM "QueueWorker" w
      JOIN "RunJob" j ON j."runId" = w."runId" AND j."jobKey" = w."jobKey"
      JOIN "Run" r ON r.id = j."runId"
    WHERE r.status = 'running' AND j.status = 'queued' AND w.status = 'busy'
      AND w.id IS DISTINCT FROM ${exceptWorkerId ?? null}
      AND w."lastSeenAt" <= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${staleSeconds})`;
}
