/**
 * DiffJob rows: a diff's jobs on the work queue, with RunJob's semantics (lib/db/run-jobs.ts): progress, the
 * staged result of each done job keyed by (diffId, jobKey) so a retry overwrites its own row, and publishing
 * — sections written and status flipped — in one transaction that refuses while a job is unfinished.
 */
import type { Prisma } from '../generated/prisma/client';
import { getPrisma } from './client';
import { FINALIZE_JOB_KEY, type BeginOutcome, type OrphanedJob, type SilentWorkerJob, type StagedResult } from './run-jobs';
import { LONG_TRANSACTION } from './run-lock';
import { diffIdSchema, getDiff, lockDiffStatus, type DiffInfo } from './diffs';
import { parseInput } from './validate';

export async function createDiffJobs(diffId: string, jobs: { jobKey: string; kind: string }[]): Promise<void> {
  parseInput(diffIdSchema, diffId, 'createDiffJobs');
  if (jobs.length === 0 || new Set(jobs.map((j) => j.jobKey)).size !== jobs.length)
    throw new Error('createDiffJobs: job keys must be distinct and non-empty');
  await getPrisma().diffJob.createMany({ data: jobs.map((j) => ({ diffId, jobKey: j.jobKey, kind: j.kind })) });
}

export async function beginDiffJob(
  diffId: string,
  jobKey: string,
  attempt: { workerId: string; queueJobId: string },
): Promise<BeginOutcome> {
  return getPrisma().$transaction(async (tx) => {
    const status = await lockDiffStatus(tx, diffId, 'FOR SHARE');
    if (status === null) throw new Error(`beginDiffJob: diff ${diffId} does not exist`);
    if (status !== 'running') return 'run-not-running';
    const job = await tx.diffJob.findUnique({ where: { diffId_jobKey: { diffId, jobKey } }, select: { status: true } });
    if (!job) throw new Error(`beginDiffJob: diff ${diffId} has no job "${jobKey}"`);
    if (job.status === 'done') return 'already-done';
    await tx.$executeRaw`
      UPDATE "DiffJob" SET status = 'active', attempts = attempts + 1, "workerId" = ${attempt.workerId},
        "queueJobId" = ${attempt.queueJobId}, "tokensDone" = 0, "startedAt" = (now() AT TIME ZONE 'UTC'),
        "finishedAt" = NULL, "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "diffId" = ${diffId} AND "jobKey" = ${jobKey}`;
    return 'started' as const;
  });
}

export async function reportDiffJobProgress(
  diffId: string,
  jobKey: string,
  queueJobId: string,
  p: { done: number; total: number },
): Promise<void> {
  await getPrisma().$executeRaw`
    UPDATE "DiffJob" SET "tokensDone" = ${Math.round(p.done)}, "tokensTotal" = ${Math.round(p.total)}, "updatedAt" = (now() AT TIME ZONE 'UTC')
    WHERE "diffId" = ${diffId} AND "jobKey" = ${jobKey} AND "queueJobId" = ${queueJobId} AND status = 'active'
      AND EXISTS (SELECT 1 FROM "ModelDiff" WHERE id = ${diffId} AND status = 'running')`;
}

/** Stages a result with status done; returns the diff's jobs (finalize aside) not done yet, null when it is no longer running. */
export async function stageDiffJobResult(diffId: string, jobKey: string, result: Buffer): Promise<number | null> {
  return getPrisma().$transaction(async (tx) => {
    if ((await lockDiffStatus(tx, diffId, 'FOR SHARE')) !== 'running') return null;
    const updated = await tx.$executeRaw`
      UPDATE "DiffJob" SET status = 'done', result = ${result}, error = NULL, "tokensDone" = "tokensTotal",
        "finishedAt" = (now() AT TIME ZONE 'UTC'), "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "diffId" = ${diffId} AND "jobKey" = ${jobKey}`;
    if (updated !== 1) throw new Error(`stageDiffJobResult: diff ${diffId} has no job "${jobKey}"`);
    return tx.diffJob.count({ where: { diffId, status: { not: 'done' }, jobKey: { not: FINALIZE_JOB_KEY } } });
  }, LONG_TRANSACTION);
}

export async function countUnfinishedDiffJobs(diffId: string): Promise<number> {
  return getPrisma().diffJob.count({ where: { diffId, status: { not: 'done' }, jobKey: { not: FINALIZE_JOB_KEY } } });
}

export async function recordDiffJobError(diffId: string, jobKey: string, error: string, final: boolean): Promise<void> {
  await getPrisma().$executeRaw`
    UPDATE "DiffJob" SET status = ${final ? 'failed' : 'queued'}::"RunJobStatus", error = ${error.slice(0, 4000)},
      "updatedAt" = (now() AT TIME ZONE 'UTC')
    WHERE "diffId" = ${diffId} AND "jobKey" = ${jobKey} AND status <> 'done'
      AND EXISTS (SELECT 1 FROM "ModelDiff" WHERE id = ${diffId} AND status <> 'published')`;
}

export async function getStagedDiffResults(diffId: string, kind?: string): Promise<StagedResult[]> {
  const rows = await getPrisma().diffJob.findMany({
    where: { diffId, status: 'done', ...(kind ? { kind } : {}), result: { not: null } },
    orderBy: { jobKey: 'asc' },
    select: { jobKey: true, kind: true, result: true },
  });
  return rows.map((r) => ({ jobKey: r.jobKey, kind: r.kind, result: r.result! }));
}

/** Writes the diff's sections and publishes it in one transaction; refuses while any job is unfinished. */
export async function publishDiffFromJobs(diffId: string, sections: Record<string, unknown>): Promise<DiffInfo> {
  await getPrisma().$transaction(async (tx) => {
    const status = await lockDiffStatus(tx, diffId, 'FOR UPDATE');
    if (status === null) throw new Error(`publishDiffFromJobs: diff ${diffId} does not exist`);
    if (status !== 'running') throw new Error(`publishDiffFromJobs: diff ${diffId} is ${status}; only a running diff can be published`);
    const pending = await tx.diffJob.findMany({
      where: { diffId, status: { not: 'done' }, jobKey: { not: FINALIZE_JOB_KEY } },
      select: { jobKey: true, status: true },
    });
    if (pending.length > 0)
      throw new Error(
        `publishDiffFromJobs: diff ${diffId} has unfinished jobs: ${pending.map((j) => `${j.jobKey} (${j.status})`).join(', ')}`,
      );
    // A retried finalize replaces what an earlier attempt wrote before failing.
    await tx.diffSection.deleteMany({ where: { diffId } });
    await tx.diffSection.createMany({
      data: Object.entries(sections).map(([section, data]) => ({
        diffId,
        section,
        data: JSON.parse(JSON.stringify(data)) as Prisma.InputJsonValue,
      })),
    });
    await tx.$executeRaw`
      UPDATE "DiffJob" SET status = 'done', error = NULL, "finishedAt" = (now() AT TIME ZONE 'UTC'), "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "diffId" = ${diffId} AND "jobKey" = ${FINALIZE_JOB_KEY}`;
    await tx.$executeRaw`
      UPDATE "ModelDiff" SET status = 'published', "publishedAt" = (now() AT TIME ZONE 'UTC'),
        "durationMs" = LEAST(2147483647, GREATEST(0, (EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - "createdAt")) * 1000)::bigint))::int
      WHERE id = ${diffId}`;
  }, LONG_TRANSACTION);
  return (await getDiff(diffId))!;
}

/** Active jobs of running diffs whose worker went silent: back to queued and returned (the caller fails their queue jobs). */
export async function takeOrphanedDiffJobs(staleSeconds: number, exceptWorkerId?: string): Promise<OrphanedJob[]> {
  return getPrisma().$queryRaw<OrphanedJob[]>`
    UPDATE "DiffJob" j SET status = 'queued',
      error = 'worker ' || COALESCE(j."workerId", '?') || ' stopped responding; job released for retry',
      "updatedAt" = (now() AT TIME ZONE 'UTC')
    FROM "ModelDiff" d
    WHERE d.id = j."diffId" AND d.status = 'running' AND j.status = 'active' AND j."queueJobId" IS NOT NULL
      AND j."workerId" IS DISTINCT FROM ${exceptWorkerId ?? null}
      AND NOT EXISTS (
        SELECT 1 FROM "QueueWorker" w WHERE w.id = j."workerId"
          AND w."lastSeenAt" > (now() AT TIME ZONE 'UTC') - make_interval(secs => ${staleSeconds})
          AND w.status <> 'stopped')
    RETURNING j."diffId" AS "runId", j."jobKey" AS "jobKey", j."queueJobId" AS "queueJobId", j."workerId" AS "workerId"`;
}

/** A silent worker's diff job it had taken but not marked active (see jobsOfSilentWorkers); `runId` holds the diff id. */
export async function diffJobsOfSilentWorkers(staleSeconds: number, exceptWorkerId?: string): Promise<SilentWorkerJob[]> {
  return getPrisma().$queryRaw<SilentWorkerJob[]>`
    SELECT w.id AS "workerId", j."diffId" AS "runId", j."jobKey" AS "jobKey", w."lastSeenAt" AS "lastSeenAt"
    FROM "QueueWorker" w
      JOIN "DiffJob" j ON j."diffId" = w."runId" AND j."jobKey" = w."jobKey"
      JOIN "ModelDiff" d ON d.id = j."diffId"
    WHERE d.status = 'running' AND j.status = 'queued' AND w.status = 'busy'
      AND w.id IS DISTINCT FROM ${exceptWorkerId ?? null}
      AND w."lastSeenAt" <= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${staleSeconds})`;
}
