/**
 * The embedded Postgres another headwiki process (a running `npm start`) already serves. Postgres records its port in
 * the data directory's postmaster.pid (line 4); when that server is alive and answers, the CLI uses it instead of
 * refusing ("already served by pid …"), so a model published while the site runs shows up on the site at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/** Same credentials and database as startEmbeddedPostgres. */
const url = (port: number) => `postgresql://postgres:postgres@127.0.0.1:${port}/headwiki`;

/** The pid and port postmaster.pid records; null when there is no such file or it is malformed. */
export function readPostmasterPid(dataDir: string): { pid: number; port: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && port > 0 && port < 65536 ? { pid, port } : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** DATABASE_URL of the cluster in `dataDir` when a live server answers on its recorded port; otherwise null. */
export async function runningClusterUrl(dataDir: string): Promise<{ url: string; pid: number; port: number } | null> {
  const rec = readPostmasterPid(dataDir);
  if (!rec || !alive(rec.pid)) return null;
  const client = new pg.Client({ connectionString: url(rec.port), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url: url(rec.port), ...rec };
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}
