/**
 * For test files: a throw-away Postgres with the project's migrations applied, in a temp dir on a
 * free port. Start one per test file (beforeAll) and stop it in afterAll; ~2-3 s, mostly initdb.
 * (Copying a template cluster instead of initdb was measured: no faster on these disks.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres';
import { applyMigrations } from './migrate';

export interface TestDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startTestDatabase(options: { log?: (msg: string) => void } = {}): Promise<TestDatabase> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-test-pg-'));
  // mkdtemp makes a 0700 folder; as root the server runs as `postgres`, which must be able to enter it.
  fs.chmodSync(parent, 0o755);
  const remove = () => fs.rmSync(parent, { recursive: true, force: true });

  let server;
  try {
    server = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), ephemeral: true, log: options.log });
  } catch (e) {
    remove();
    throw e;
  }
  try {
    await applyMigrations(server.url, { log: options.log });
  } catch (e) {
    await server.stop();
    remove();
    throw e;
  }
  return {
    url: server.url,
    port: server.port,
    async stop() {
      await server.stop();
      remove();
    },
  };
}
