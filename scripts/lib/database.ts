import path from 'node:path';
import { startEmbeddedPostgres } from '../../lib/postgres/embedded-postgres';
import { applyMigrations } from '../../lib/postgres/migrate';
import { stateDir } from './paths';

/**
 * Makes DATABASE_URL point at a migrated Postgres: the user's own when DATABASE_URL is set,
 * otherwise the embedded one in .headwiki/postgres. Returns how to stop what was started.
 */
export async function openDatabase(log: (msg: string) => void): Promise<{ stop: () => Promise<void> }> {
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    log('database: using DATABASE_URL');
  } else {
    const port = Number(process.env.HEADWIKI_PG_PORT ?? 54329);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'postgres'), port, log });
    process.env.DATABASE_URL = pg.url;
    stop = pg.stop;
  }
  try {
    await applyMigrations(process.env.DATABASE_URL!, { log });
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { stop };
}
