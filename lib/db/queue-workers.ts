/**
 * QueueWorker rows: one per worker process (`npm run worker`), with a heartbeat in the database's own
 * clock. The run page lists them; a worker whose heartbeat stops has its job released (run-jobs.ts).
 */
import { getPrisma } from './client';

export type WorkerStatus = 'idle' | 'busy' | 'stopping' | 'stopped';

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  device: string;
  status: WorkerStatus;
  runId: string | null;
  jobKey: string | null;
  jobsDone: number;
  startedAt: Date;
  lastSeenAt: Date;
  /** Seconds since its last heartbeat, by the database clock. */
  silentSeconds: number;
}

export async function registerWorker(w: { id: string; host: string; pid: number; device: string }): Promise<void> {
  await getPrisma().$executeRaw`
    INSERT INTO "QueueWorker" (id, host, pid, device, status, "startedAt", "lastSeenAt")
    VALUES (${w.id}, ${w.host}, ${w.pid}, ${w.device}, 'idle', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'))
    ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, device = EXCLUDED.device,
      status = 'idle', "lastSeenAt" = EXCLUDED."lastSeenAt"`;
}

/** The device the worker's model actually runs on (known once a model is loaded). */
export async function setWorkerDevice(id: string, device: string): Promise<void> {
  await getPrisma().$executeRaw`UPDATE "QueueWorker" SET device = ${device} WHERE id = ${id}`;
}

/** Workers that sent a heartbeat within `withinSeconds` (stopped ones excluded), optionally only those on a run. */
export async function listLiveWorkers(withinSeconds: number, runId?: string): Promise<WorkerInfo[]> {
  const rows = await getPrisma().$queryRaw<(Omit<WorkerInfo, 'silentSeconds'> & { silentSeconds: number })[]>`
    SELECT id, host, pid, device, status, "runId", "jobKey", "jobsDone", "startedAt", "lastSeenAt",
      EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - "lastSeenAt"))::float8 AS "silentSeconds"
    FROM "QueueWorker"
    WHERE "lastSeenAt" > (now() AT TIME ZONE 'UTC') - make_interval(secs => ${withinSeconds}) AND status <> 'stopped'
      AND (${runId ?? null}::text IS NULL OR "runId" = ${runId ?? null})
    ORDER BY "startedAt", id`;
  return rows;
}

/** Workers that worked on this run (their current or latest job is one of its jobs), with their status. */
export async function listRunWorkers(runId: string): Promise<WorkerInfo[]> {
  return getPrisma().$queryRaw<WorkerInfo[]>`
    SELECT w.id, w.host, w.pid, w.device, w.status, w."runId", w."jobKey", w."jobsDone", w."startedAt", w."lastSeenAt",
      EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - w."lastSeenAt"))::float8 AS "silentSeconds"
    FROM "QueueWorker" w
    WHERE w."runId" = ${runId} OR w.id IN (SELECT DISTINCT "workerId" FROM "RunJob" WHERE "runId" = ${runId} AND "workerId" IS NOT NULL)
    ORDER BY w."startedAt", w.id`;
}
