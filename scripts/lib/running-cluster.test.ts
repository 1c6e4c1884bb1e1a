// The CLI shares the embedded Postgres a running `npm start` serves (issue 18, defect 13): found through postmaster.pid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/postgres/embedded-postgres';
import { readPostmasterPid, runningClusterUrl } from './running-cluster';

let parent: string;
let server: EmbeddedPostgresHandle;

beforeAll(async () => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-running-cluster-'));
  fs.chmodSync(parent, 0o755);
  server = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), ephemeral: true });
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(parent, { recursive: true, force: true });
});

describe('runningClusterUrl', () => {
  it("finds the live server's port in postmaster.pid and answers its URL", async () => {
    expect(readPostmasterPid(server.dataDir)?.port).toBe(server.port);
    const running = await runningClusterUrl(server.dataDir);
    expect(running?.url).toBe(server.url);
  });

  it('answers null without a server: no pid file, or a pid that is not alive', async () => {
    expect(await runningClusterUrl(path.join(parent, 'nothing-here'))).toBeNull();
    const stale = path.join(parent, 'stale');
    fs.mkdirSync(stale);
    // Line 1: pid; line 4: port (Postgres' own layout). A pid far above pid_max is never alive.
    fs.writeFileSync(path.join(stale, 'postmaster.pid'), `99999999\n${stale}\n0\n${server.port}\n`);
    expect(readPostmasterPid(stale)).toEqual({ pid: 99999999, port: server.port });
    expect(await runningClusterUrl(stale)).toBeNull();
  });
});
