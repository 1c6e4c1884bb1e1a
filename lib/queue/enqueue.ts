/** Putting jobs on the queue, with the retry/expiry settings of the process that plans them. */
import type PgBoss from 'pg-boss';
import { deterministicJobId } from './job-id';
import { JOBS_QUEUE, queueSettings, type QueueSettings } from './names';
import { jobPayload, type FinalizeJob, type JobPayload } from './payloads';
import { diffJobPayload, type DiffJobPayload } from './diff-payloads';

function sendOptions(settings: QueueSettings) {
  return {
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: settings.expireInSeconds,
  };
}

/** Enqueues a run's jobs in one statement. Each gets a job id derived from (runId, jobKey): re-enqueueing is a no-op. */
export async function enqueueJobs(boss: PgBoss, jobs: JobPayload[], settings: QueueSettings = queueSettings()): Promise<void> {
  const options = sendOptions(settings);
  await boss.insert(
    jobs.map((job) => ({
      id: deterministicJobId(`${job.runId}/${job.jobKey}`),
      name: JOBS_QUEUE,
      data: jobPayload.parse(job),
      ...options,
    })),
  );
}

/** Enqueues the run's finalize job once, however many workers call this (its id is fixed by the run). */
export async function enqueueFinalize(boss: PgBoss, job: FinalizeJob, settings: QueueSettings = queueSettings()): Promise<void> {
  await boss.send(JOBS_QUEUE, jobPayload.parse(job), { ...sendOptions(settings), id: deterministicJobId(`${job.runId}/${job.jobKey}`) });
}

/** Enqueues diff jobs (shards, or the finalize job once: its id is fixed by the diff). */
export async function enqueueDiffJobs(boss: PgBoss, jobs: DiffJobPayload[], settings: QueueSettings = queueSettings()): Promise<void> {
  const options = sendOptions(settings);
  await boss.insert(
    jobs.map((job) => ({
      id: deterministicJobId(`${job.diffId}/${job.jobKey}`),
      name: JOBS_QUEUE,
      data: diffJobPayload.parse(job),
      ...options,
    })),
  );
}
