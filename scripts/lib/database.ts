import path from 'node:path';
import { startEmbeddedPostgres } from '../../lib/postgres/embedded-postgres';
import { applyMigrations } from '../../lib/postgres/migrate';
import { stateDir } from './paths';
import { runningClusterUrl } from './running-cluster';

/**
 * Makes DATABASE_URL point at a migrated Postgres: the user's own when DATABASE_URL is set,
 * otherwise the embedded one in .headwiki/postgres — the one a running `npm start` serves, if any, else started here.
 * Returns how to stop what was started (nothing, when it was already running).
 */
export async function openDatabase(log: (msg: string) => void): Promise<{ stop: () => Promise<void> }> {
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    log('database: using DATABASE_URL');
  } else {
    const dataDir = path.join(stateDir, 'postgres');
    // A running `npm start` already serves this cluster: share it (its port is in postmaster.pid) and leave it running.
    const running = await runningClusterUrl(dataDir);
    if (running) {
      log(`database: using the embedded Postgres already running (pid ${running.pid}, port ${running.port})`);
      process.env.DATABASE_URL = running.url;
    } else {
      const port = Number(process.env.HEADWIKI_PG_PORT ?? 54329);
      const pg = await startEmbeddedPostgres({ dataDir, port, log });
      process.env.DATABASE_URL = pg.url;
      stop = pg.stop;
    }
  }
  try {
    await applyMigrations(process.env.DATABASE_URL!, { log });
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { stop };
}
