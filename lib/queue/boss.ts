/**
 * pg-boss (a Postgres-backed job queue) set up for headwiki. It keeps its tables in its own schema
 * ("pgboss"), which it creates and migrates itself on start; Prisma's migrations only ever touch the
 * tables they created (we apply migrations, we never diff the live database), so the two coexist.
 */
import PgBoss from 'pg-boss';
import { FAILED_JOBS_QUEUE, JOBS_QUEUE, queueSettings, type QueueSettings } from './names';

export interface StartBossOptions {
  databaseUrl: string;
  settings?: QueueSettings;
  /** Connections in pg-boss' own pool (a worker needs few). */
  maxConnections?: number;
  /** pg-boss reports database trouble (e.g. Postgres restarting) as events; they must be listened to. */
  onError?: (err: Error) => void;
}

export async function startBoss(options: StartBossOptions): Promise<PgBoss> {
  const settings = options.settings ?? queueSettings();
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 4,
    application_name: 'headwiki-queue',
    maintenanceIntervalSeconds: settings.maintenanceIntervalSeconds,
    // Monitoring of queue sizes is not used; cron scheduling neither.
    schedule: false,
  });
  // Without a listener an 'error' event would crash the process; with it, pg-boss keeps polling and
  // its pool reconnects when the database is back.
  boss.on('error', options.onError ?? ((err) => console.error(`[queue] ${err.message}`)));
  await boss.start();
  await ensureQueues(boss, settings);
  return boss;
}

/** Creates headwiki's queues if missing (pg-boss 10 needs createQueue before send/work), and keeps their settings current. */
export async function ensureQueues(boss: PgBoss, settings: QueueSettings = queueSettings()): Promise<void> {
  if (!(await boss.getQueue(FAILED_JOBS_QUEUE))) {
    await createQueueIfMissing(boss, FAILED_JOBS_QUEUE, { name: FAILED_JOBS_QUEUE, retryLimit: 5, retryDelay: 2, retryBackoff: true });
  }
  const jobsQueue: PgBoss.Queue = {
    name: JOBS_QUEUE,
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: settings.expireInSeconds,
    deadLetter: FAILED_JOBS_QUEUE,
  };
  if (!(await boss.getQueue(JOBS_QUEUE))) await createQueueIfMissing(boss, JOBS_QUEUE, jobsQueue);
}

async function createQueueIfMissing(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  try {
    await boss.createQueue(name, options);
  } catch (err) {
    // Two processes starting at once: the other one created it first.
    if (!(await boss.getQueue(name))) throw err;
  }
}
