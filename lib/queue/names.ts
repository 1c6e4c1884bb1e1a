/**
 * The work queue's names and settings. Every job kind goes through ONE queue so that a worker process
 * runs one job at a time (jobs are CPU/GPU bound); jobs that failed after their retries are copied by
 * pg-boss to the dead-letter queue, whose handler marks the run failed.
 */
export const JOBS_QUEUE = 'headwiki-jobs';
export const FAILED_JOBS_QUEUE = 'headwiki-jobs-failed';

/** Settings of the jobs queue; the environment can shorten them (tests, benchmarks). */
export function queueSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** Attempts after the first one. */
    retryLimit: intFromEnv(env, 'HEADWIKI_QUEUE_RETRY_LIMIT', 3),
    /** Seconds before the first retry; doubled (with jitter) each time by pg-boss' retryBackoff. */
    retryDelaySeconds: intFromEnv(env, 'HEADWIKI_QUEUE_RETRY_DELAY_S', 5),
    /**
     * A job active longer than this is failed by pg-boss (and retried): the backstop for a worker whose
     * machine vanished without anyone noticing. Dead workers are normally noticed far sooner by their
     * missing heartbeat (workerStaleSeconds), so this can be generous enough for the largest shard.
     */
    expireInSeconds: intFromEnv(env, 'HEADWIKI_QUEUE_EXPIRE_S', 4 * 60 * 60),
    /** How often pg-boss runs its maintenance (expiring jobs); seconds. */
    maintenanceIntervalSeconds: intFromEnv(env, 'HEADWIKI_QUEUE_MAINTENANCE_S', 60),
    /** How often an idle worker asks for a job; seconds (pg-boss' minimum is 0.5). */
    pollingIntervalSeconds: Math.max(0.5, numberFromEnv(env, 'HEADWIKI_QUEUE_POLL_S', 1)),
    /** A worker writes its heartbeat this often; milliseconds. */
    heartbeatMs: intFromEnv(env, 'HEADWIKI_WORKER_HEARTBEAT_MS', 2000),
    /** A worker silent for this long is dead: its active job is released for another worker; seconds. */
    workerStaleSeconds: intFromEnv(env, 'HEADWIKI_WORKER_STALE_S', 30),
    /** On SIGTERM, how long a worker may finish its current job before releasing it; milliseconds. */
    stopTimeoutMs: intFromEnv(env, 'HEADWIKI_WORKER_STOP_TIMEOUT_MS', 60_000),
  };
}

export type QueueSettings = ReturnType<typeof queueSettings>;

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = numberFromEnv(env, name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${env[name]}"`);
  return value;
}
