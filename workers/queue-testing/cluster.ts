/**
 * Test and benchmark scaffolding for the work queue: a Postgres that can be restarted on the same port,
 * and worker processes (`scripts/worker.ts`) as real child processes with short queue timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, findFreePort, type EmbeddedPostgresHandle } from '@/lib/postgres/embedded-postgres';
import { applyMigrations } from '@/lib/postgres/migrate';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Queue timings short enough for tests: fast polling, quick retries, dead workers noticed in ~3 s. */
export const FAST_QUEUE_ENV: Record<string, string> = {
  HEADWIKI_QUEUE_POLL_S: '0.5',
  HEADWIKI_QUEUE_RETRY_DELAY_S: '1',
  HEADWIKI_QUEUE_RETRY_LIMIT: '2',
  HEADWIKI_QUEUE_MAINTENANCE_S: '2',
  HEADWIKI_WORKER_HEARTBEAT_MS: '500',
  HEADWIKI_WORKER_STALE_S: '3',
  HEADWIKI_WORKER_STOP_TIMEOUT_MS: '20000',
};

export interface RestartablePostgres {
  url: string;
  stop(): Promise<void>;
  /** Stops the server, waits `downMs`, starts it again on the same port and data. */
  restart(downMs: number): Promise<void>;
  destroy(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-queue-pg-'));
  fs.chmodSync(parent, 0o755);
  const dataDir = path.join(parent, 'data');
  const port = await findFreePort();
  let server: EmbeddedPostgresHandle | null = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
  await applyMigrations(server.url);
  const url = server.url;
  return {
    url,
    async stop() {
      await server?.stop();
      server = null;
    },
    async restart(downMs: number) {
      await server?.stop();
      server = null;
      await new Promise((r) => setTimeout(r, downMs));
      server = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    },
    async destroy() {
      await server?.stop().catch(() => {});
      server = null;
      fs.rmSync(parent, { recursive: true, force: true });
    },
  };
}

export interface WorkerChild {
  child: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<number | null>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerChild {
  // node itself (tsx as a loader), not the tsx CLI: its wrapper process would take the signals meant for the worker.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...FAST_QUEUE_ENV, ...env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid!,
    output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
