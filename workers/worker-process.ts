/**
 * A worker: pulls jobs from the queue one at a time and runs them (`npm run worker`, or in-process for
 * `npm start`). It sends a heartbeat, releases the jobs of workers whose heartbeat stopped (kill -9, lost
 * machine) so they are retried at once, and on stop() finishes its current job — or, past the stop
 * timeout, releases it to the queue.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { failRun, getRun } from '@/lib/db/runs';
import { failDiff, getDiff } from '@/lib/db/diffs';
import { diffJobsOfSilentWorkers, recordDiffJobError, takeOrphanedDiffJobs } from '@/lib/db/diff-jobs';
import { jobsOfSilentWorkers, recordRunJobError, takeOrphanedJobs } from '@/lib/db/run-jobs';
import { registerWorker, setWorkerDevice } from '@/lib/db/queue-workers';
import { Heartbeat } from './heartbeat';
import { startBoss } from '@/lib/queue/boss';
import { FAILED_JOBS_QUEUE, JOBS_QUEUE, queueSettings, type QueueSettings } from '@/lib/queue/names';
import { deterministicJobId } from '@/lib/queue/job-id';
import { isDiffJob, jobOwnerId, parseQueuedJob, type QueuedJob } from '@/lib/queue/diff-payloads';
import { withDbRetry } from './jobs/db-retry';
import { JobContext } from './jobs/job-context';
import { runQueuedJob } from './jobs/run-job';
import { runQueuedDiffJob } from './jobs/diff-job';
import { intendedDevice } from './execution-device';

export interface WorkerOptions {
  databaseUrl: string;
  settings?: QueueSettings;
  log?: (msg: string) => void;
}

export interface WorkerHandle {
  id: string;
  /** Finish (or, past the stop timeout, release) the current job, then stop. */
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const settings = options.settings ?? queueSettings();
  const log = options.log ?? ((msg: string) => console.log(`[worker] ${msg}`));
  const id = `${os.hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const device = intendedDevice();
  // The device a model actually runs on (the CPU after a failed CUDA start) replaces the intended one on the run page.
  const context = new JobContext({ log, onDevice: (actual) => void setWorkerDevice(id, actual).catch(() => {}) });

  let lastDbError = '';
  const logOnce = (msg: string) => {
    if (msg !== lastDbError) log(msg);
    lastDbError = msg;
  };
  await withDbRetry('register worker', () => registerWorker({ id, host: os.hostname(), pid: process.pid, device }), { log });
  const boss = await startBoss({
    databaseUrl: options.databaseUrl,
    settings,
    onError: (err) => logOnce(`queue: ${err.message.split('\n')[0]}`),
  });

  const heartbeat = new Heartbeat({
    databaseUrl: options.databaseUrl,
    workerId: id,
    intervalMs: settings.heartbeatMs,
    onError: (m) => logOnce(`heartbeat: ${m}`),
  });
  const reaper = setInterval(() => void releaseOrphans(boss, id, settings, log), Math.max(1000, settings.heartbeatMs));

  let current: { runId: string; jobKey: string; diff: boolean } | null = null;
  // Declared before any handler can run (a job may finish before this function returns).
  let stopping = false;
  let queueWorkerId = '';
  queueWorkerId = await boss.work<unknown>(
    JOBS_QUEUE,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: settings.pollingIntervalSeconds },
    async ([job]) => {
      const payload = parseQueuedJob(job.data);
      // A diff's jobs name the diff where a run's name the run (heartbeat row, logs).
      const ownerId = jobOwnerId(payload);
      current = { runId: ownerId, jobKey: payload.jobKey, diff: isDiffJob(payload) };
      heartbeat.set({ status: 'busy', runId: ownerId, jobKey: payload.jobKey });
      const t0 = Date.now();
      // The job's outcome is written to the queue here, retried while the database is unreachable: pg-boss'
      // own completion/failure after a handler is a single un-awaited query, and one lost to a Postgres restart
      // leaves the job "active" until it expires (hours). pg-boss' own call then finds it no longer active.
      const settle = (what: string, fn: () => Promise<unknown>) =>
        withDbRetry(`${payload.jobKey} ${what}`, fn, { log }).catch((e) =>
          log(`${payload.jobKey} ${what}: ${e instanceof Error ? e.message : e}`),
        );
      try {
        const env = { boss, context, workerId: id, queueJobId: job.id, log };
        const outcome = isDiffJob(payload) ? await runQueuedDiffJob(payload, env) : await runQueuedJob(payload, env);
        log(`${ownerId} ${payload.jobKey}: ${outcome} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await settle('complete', () => boss.complete(JOBS_QUEUE, job.id, { outcome }));
        return { outcome };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const final = job.retryCount >= job.retryLimit;
        log(`${ownerId} ${payload.jobKey}: attempt ${job.retryCount + 1}/${job.retryLimit + 1} failed: ${message}`);
        await settle('record error', () => recordJobError(payload, message, final));
        // Failing it here (→ retry with backoff, or the dead-letter queue after the last attempt) is what pg-boss does for a throw.
        await settle('fail', () => boss.fail(JOBS_QUEUE, job.id, { message }));
        return { failed: message };
      } finally {
        current = null;
        heartbeat.set({ status: stopping ? 'stopping' : 'idle', runId: null, jobKey: null, jobFinished: true });
        // Ask for the next job at once: pg-boss otherwise waits out the polling interval after a short job,
        // which adds up over a run's many small jobs. Only an empty fetch waits.
        if (queueWorkerId) boss.notifyWorker(queueWorkerId);
      }
    },
  );

  // pg-boss copies a job that failed its last attempt (or expired) here: the run fails with its error.
  await boss.work<unknown>(
    FAILED_JOBS_QUEUE,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: settings.pollingIntervalSeconds },
    async ([job]) => {
      const payload = parseQueuedJob(job.data);
      const reason = outputMessage(job.output) ?? 'unknown error';
      const message = `job ${payload.jobKey} failed after ${job.retryLimit + 1} attempts: ${reason}`;
      await recordJobError(payload, reason, true);
      if (isDiffJob(payload)) {
        if ((await getDiff(payload.diffId))?.status === 'running') {
          await failDiff(payload.diffId, message);
          log(`${payload.diffId}: marked failed (${message})`);
        }
        return;
      }
      const run = await getRun(payload.runId);
      if (run?.status === 'running') {
        await failRun(payload.runId, message);
        log(`${payload.runId}: marked failed (${message})`);
      }
    },
  );

  log(`worker ${id} started (${device}); polling ${JOBS_QUEUE}`);
  return {
    id,
    async stop() {
      if (stopping) return;
      stopping = true;
      heartbeat.set({ status: 'stopping' });
      clearInterval(reaper);
      // Graceful: waits up to the timeout for the current job; pg-boss then fails (→ retries) what is still active.
      await boss.stop({ graceful: true, timeout: settings.stopTimeoutMs, wait: true });
      const unfinished = current as { runId: string; jobKey: string; diff: boolean } | null;
      if (unfinished) {
        const record = unfinished.diff ? recordDiffJobError : recordRunJobError;
        await record(unfinished.runId, unfinished.jobKey, `worker ${id} stopped; job released for retry`, false).catch(() => {});
        // Back on the queue; the computation itself cannot be interrupted and may still stage its result before
        // the process exits, in which case the worker that takes the job finds it already done.
        log(`released ${unfinished.runId} ${unfinished.jobKey} (stop timeout reached)`);
      }
      await heartbeat.stop({ status: 'stopped', runId: null, jobKey: null });
      log(`worker ${id} stopped`);
    },
  };
}

async function releaseOrphans(boss: PgBoss, selfId: string, settings: QueueSettings, log: (msg: string) => void): Promise<void> {
  try {
    // Never this worker's own job: it is alive, whatever its heartbeat row says.
    const orphans = [
      ...(await takeOrphanedJobs(settings.workerStaleSeconds, selfId)),
      ...(await takeOrphanedDiffJobs(settings.workerStaleSeconds, selfId)),
    ];
    for (const o of orphans) {
      log(`${o.runId} ${o.jobKey}: worker ${o.workerId ?? '?'} stopped responding; releasing its job for retry`);
      await boss.fail(JOBS_QUEUE, o.queueJobId, { message: `worker ${o.workerId ?? '?'} stopped responding` });
    }
    // A worker that died right after taking a job, before marking it active: release the queue job if it is still
    // the one that worker took (active since before its last heartbeat), not a retry another worker has taken since.
    const silent = [
      ...(await jobsOfSilentWorkers(settings.workerStaleSeconds, selfId)),
      ...(await diffJobsOfSilentWorkers(settings.workerStaleSeconds, selfId)),
    ];
    for (const s of silent) {
      const queued = await boss.getJobById(JOBS_QUEUE, deterministicJobId(`${s.runId}/${s.jobKey}`));
      if (queued?.state !== 'active' || !(queued.startedOn.getTime() <= s.lastSeenAt.getTime())) continue;
      log(`${s.runId} ${s.jobKey}: worker ${s.workerId} stopped responding right after taking it; releasing it for retry`);
      await boss.fail(JOBS_QUEUE, queued.id, { message: `worker ${s.workerId} stopped responding` });
    }
  } catch {
    // The database may be restarting: the next round retries.
  }
}

function recordJobError(job: QueuedJob, message: string, final: boolean): Promise<void> {
  return isDiffJob(job)
    ? recordDiffJobError(job.diffId, job.jobKey, message, final)
    : recordRunJobError(job.runId, job.jobKey, message, final);
}

function outputMessage(output: unknown): string | null {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  if (typeof o?.message === 'string') return o.message;
  if (typeof o?.value?.message === 'string') return o.value.message;
  return output == null ? null : JSON.stringify(output).slice(0, 2000);
}
