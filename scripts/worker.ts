/**
 * `npm run worker`: one worker process pulling headwiki jobs from the queue. Start as many as you like,
 * on any machines that reach the same database (DATABASE_URL); without DATABASE_URL it joins the
 * embedded Postgres that `npm start` / `npm run headwiki` run on this machine (HEADWIKI_PG_PORT, 54329).
 * SIGTERM/SIGINT: finish the current job (or release it after HEADWIKI_WORKER_STOP_TIMEOUT_MS), then exit.
 */
import { closePrisma } from '@/lib/db/client';
import { isTransientDbError } from '@/workers/jobs/db-retry';
import { startWorker } from '@/workers/worker-process';

const log = (msg: string) => console.log(`[worker ${process.pid}] ${msg}`);

// pg-boss 10 completes and fails jobs with queries it does not await: one lost to a Postgres restart is an
// unhandled rejection, which would end the process. The worker settles its jobs itself (worker-process.ts), so
// such a rejection loses nothing; any other one is a bug and ends the process as Node would.
process.on('unhandledRejection', (reason) => {
  if (isTransientDbError(reason)) {
    log(`ignored while the database is unreachable: ${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)}`);
    return;
  }
  console.error('[worker] unhandled rejection:', reason);
  process.exit(1);
});

async function main() {
  if (!process.env.DATABASE_URL) {
    const port = Number(process.env.HEADWIKI_PG_PORT ?? 54329);
    process.env.DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${port}/headwiki`;
    log(`DATABASE_URL not set; using the local embedded Postgres on port ${port}`);
  }
  const worker = await startWorker({ databaseUrl: process.env.DATABASE_URL, log });
  let stopping = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: finishing the current job, then stopping`);
      void worker
        .stop()
        .then(() => closePrisma())
        .then(() => process.exit(0))
        .catch((err) => {
          console.error(err);
          process.exit(1);
        });
    });
  }
}

main().catch((err) => {
  console.error(`[worker] failed to start: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  process.exit(1);
});
