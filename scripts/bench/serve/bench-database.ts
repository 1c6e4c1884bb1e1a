/**
 * The database scripts/bench/serve.ts serves from: a copy of the project's embedded Postgres (the published
 * bundled run `npm start` computed) in `.headwiki/bench-postgres`, plus the fake GPT-2-XL-sized run cloned from
 * it (scripts/dev/fake-xl.ts). The copy is made once and reused (`--fresh` remakes it); the source cluster must
 * be stopped while it is copied (a live data directory is not a consistent copy).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../../lib/postgres/embedded-postgres';
import { applyMigrations } from '../../../lib/postgres/migrate';
import { stateDir } from '../../lib/paths';

function postmasterAlive(dataDir: string): boolean {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function openBenchDatabase({
  port,
  fresh,
  log,
}: {
  port: number;
  fresh: boolean;
  log: (s: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const source = process.env.HEADWIKI_BENCH_SOURCE ?? path.join(stateDir, 'postgres');
  const copy = path.join(stateDir, 'bench-postgres');
  if (fresh) fs.rmSync(copy, { recursive: true, force: true });
  if (!fs.existsSync(path.join(copy, 'PG_VERSION'))) {
    if (!fs.existsSync(path.join(source, 'PG_VERSION')))
      throw new Error(`no Postgres cluster at ${source}: run npm start once (it publishes the bundled run)`);
    if (postmasterAlive(source))
      throw new Error(`the cluster at ${source} is running (npm start?): stop it so that its copy is consistent`);
    log(`copying ${source} → ${copy}`);
    // cp -a keeps owners and modes: as root, the cluster belongs to the `postgres` user and must stay so.
    execFileSync('cp', ['-a', source, copy]);
    fs.rmSync(path.join(copy, 'postmaster.pid'), { force: true });
  }
  const pg = await startEmbeddedPostgres({ dataDir: copy, port, log });
  await applyMigrations(pg.url, { log: () => {} });
  return pg;
}
