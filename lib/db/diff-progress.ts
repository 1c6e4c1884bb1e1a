/**
 * How far a diff is, in the shape of a run's progress (lib/db/run-progress.ts) so the CLI's progress line and
 * the pages read both alike. The unit of work is the document (a shard counts the documents it has read).
 */
import { getPrisma } from './client';
import { getDiff } from './diffs';
import { estimateEta, type RunProgress } from './run-progress';
import type { WorkerInfo } from './queue-workers';

export async function getDiffProgress(diffId: string): Promise<RunProgress | null> {
  const diff = await getDiff(diffId);
  if (!diff) return null;
  const prisma = getPrisma();
  const [jobs, clock, workers] = await Promise.all([
    prisma.diffJob.findMany({
      where: { diffId },
      orderBy: { jobKey: 'asc' },
      select: { jobKey: true, kind: true, status: true, attempts: true, workerId: true, tokensDone: true, tokensTotal: true, error: true },
    }),
    prisma.$queryRaw<{ elapsed: number }[]>`
      SELECT EXTRACT(EPOCH FROM (COALESCE("publishedAt", (now() AT TIME ZONE 'UTC')) - "createdAt"))::float8 AS elapsed
      FROM "ModelDiff" WHERE id = ${diffId}`,
    prisma.$queryRaw<WorkerInfo[]>`
      SELECT w.id, w.host, w.pid, w.device, w.status, w."runId", w."jobKey", w."jobsDone", w."startedAt", w."lastSeenAt",
        EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - w."lastSeenAt"))::float8 AS "silentSeconds"
      FROM "QueueWorker" w
      WHERE w."runId" = ${diffId} OR w.id IN (SELECT DISTINCT "workerId" FROM "DiffJob" WHERE "diffId" = ${diffId} AND "workerId" IS NOT NULL)
      ORDER BY w."startedAt", w.id`,
  ]);
  const count = (s: string) => jobs.filter((j) => j.status === s).length;
  const done = jobs.reduce((a, j) => a + j.tokensDone, 0);
  const total = jobs.reduce((a, j) => a + j.tokensTotal, 0);
  const elapsedSeconds = Math.max(0, clock[0]?.elapsed ?? 0);
  // estimateEta counts tokens of 'corpus-shard' jobs: a diff's shards are its corpus jobs.
  const etaJobs = jobs.map((j) => ({ ...j, kind: j.kind === 'diff-shard' ? 'corpus-shard' : j.kind }));
  return {
    runId: diffId,
    modelSlug: `${diff.a.modelSlug} → ${diff.b.modelSlug}`,
    status: diff.status,
    error: diff.error,
    queued: jobs.length > 0,
    jobs: {
      total: jobs.length,
      done: count('done'),
      active: count('active'),
      queued: count('queued'),
      failed: count('failed'),
      list: jobs,
    },
    tokens: { done, total },
    elapsedSeconds,
    tokensPerSecond: done > 0 && elapsedSeconds > 0 ? done / elapsedSeconds : null,
    etaSeconds: diff.status === 'running' ? estimateEta(etaJobs, elapsedSeconds) : null,
    workers: workers.map(({ startedAt: _s, lastSeenAt: _l, ...w }) => w),
    // A diff is one stage (its shards): the overall rate and ETA above are that stage's.
    stages: [],
  };
}
