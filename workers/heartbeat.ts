/**
 * A worker's heartbeat, sent from its own thread with its own database connection: a job's synchronous
 * compute (metrics in plain TS, minimal-example searches) can block the main event loop for minutes,
 * and a heartbeat that stopped then would get a perfectly alive worker's job released. The thread
 * proves the process is alive; the main thread only posts what it is doing.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { WorkerStatus } from '@/lib/db/queue-workers';

export interface HeartbeatState {
  status: WorkerStatus;
  runId: string | null;
  jobKey: string | null;
}

// Plain CommonJS so that it runs as an eval'd thread wherever the worker runs (tsx, compiled, Next).
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const pool = new pg.Pool({ connectionString: workerData.url, max: 1, application_name: 'headwiki-heartbeat' });
pool.on('error', () => {});
let state = workerData.state;
let finished = 0;
let lastError = '';
async function beat() {
  const counted = finished;
  try {
    await pool.query(workerData.sql, [workerData.id, state.status, state.runId, state.jobKey, counted]);
    finished -= counted;
    lastError = '';
  } catch (e) {
    const msg = String(e && e.message || e).split('\\n')[0];
    if (msg !== lastError) parentPort.postMessage({ error: msg });
    lastError = msg;
  }
}
const timer = setInterval(beat, workerData.intervalMs);
parentPort.on('message', async (m) => {
  if (m.state) state = m.state;
  if (m.jobFinished) finished += 1;
  if (m.state || m.jobFinished) beat();
  if (m.stop) {
    clearInterval(timer);
    await beat();
    await pool.end().catch(() => {});
    parentPort.postMessage({ stopped: true });
  }
});
`;

const HEARTBEAT_SQL = `
  UPDATE "QueueWorker" SET status = $2, "runId" = $3, "jobKey" = $4, "jobsDone" = "jobsDone" + $5,
    "lastSeenAt" = (now() AT TIME ZONE 'UTC')
  WHERE id = $1`;

export class Heartbeat {
  private readonly thread: Worker;
  private state: HeartbeatState;

  constructor(options: { databaseUrl: string; workerId: string; intervalMs: number; onError?: (msg: string) => void }) {
    this.state = { status: 'idle', runId: null, jobKey: null };
    this.thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        url: options.databaseUrl,
        id: options.workerId,
        intervalMs: options.intervalMs,
        sql: HEARTBEAT_SQL,
        state: this.state,
        pgPath: createRequire(import.meta.url).resolve('pg'),
      },
    });
    this.thread.on('message', (m: { error?: string }) => m.error && options.onError?.(m.error));
    // The thread must not keep a finished process alive.
    this.thread.unref();
  }

  set(state: Partial<HeartbeatState> & { jobFinished?: boolean }): void {
    const { jobFinished, ...rest } = state;
    this.state = { ...this.state, ...rest };
    this.thread.postMessage({ state: this.state, jobFinished: Boolean(jobFinished) });
  }

  /** Sends a last heartbeat with the final state, then ends the thread. */
  async stop(final: HeartbeatState): Promise<void> {
    this.state = final;
    this.thread.postMessage({ state: final });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      this.thread.on('message', (m: { stopped?: boolean }) => {
        if (m.stopped) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.thread.postMessage({ stop: true });
    });
    await this.thread.terminate();
  }
}
