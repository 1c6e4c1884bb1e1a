// startEmbeddedPostgres on a real cluster in a temp dir: create, reuse, stale pid file, taken port.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDirectoryReachableBy, findFreePort, startEmbeddedPostgres } from './embedded-postgres';

let parent: string;
let dataDir: string;

beforeAll(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-embedded-pg-test-'));
  fs.chmodSync(parent, 0o755);
  dataDir = path.join(parent, 'data');
});

afterAll(() => {
  fs.rmSync(parent, { recursive: true, force: true });
});

async function query(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('startEmbeddedPostgres', () => {
  it('initialises a new cluster, then reuses it with its data', async () => {
    const logs: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir, ephemeral: true, log: (m) => logs.push(m) });
    try {
      expect(first.url).toBe(`postgresql://postgres:postgres@127.0.0.1:${first.port}/headwiki`);
      expect(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim()).toBe('18');
      await query(first.url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    } finally {
      await first.stop();
    }
    expect(logs.some((l) => l.startsWith('Initialising a new Postgres cluster'))).toBe(true);
    expect(logs).toContain('Created database "headwiki"');
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    const port = await findFreePort();
    const again: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir, port, ephemeral: true, log: (m) => again.push(m) });
    try {
      expect(second.port).toBe(port);
      expect(await query(second.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
      await second.stop();
      await second.stop(); // idempotent
    } finally {
      await second.stop();
    }
    expect(again[0]).toBe(`Reusing the Postgres cluster in ${dataDir}`);
    expect(again).not.toContain('Created database "headwiki"');
  });

  it('removes a postmaster.pid left by a killed run whose pid is gone or reused', async () => {
    // pid 1 is alive but is not this cluster's postmaster (what a reused pid looks like).
    fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), `1\n${dataDir}\n`);
    const logs: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, ephemeral: true, log: (m) => logs.push(m) });
    try {
      expect(logs[0]).toBe("Removing a stale postmaster.pid (pid 1 is not this cluster's server)");
      expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await server.stop();
    }
  });

  it('says clearly when the port is taken', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen({ port: 0, host: '127.0.0.1' }, () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use (another Postgres or service listens there). Stop it or choose another port.`,
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses a data directory that holds something else, and bad options', async () => {
    const foreign = path.join(parent, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'hello');
    await expect(startEmbeddedPostgres({ dataDir: foreign })).rejects.toThrow(/holds no PG_VERSION: it is not a Postgres cluster/);
    await expect(startEmbeddedPostgres({ dataDir, port: 70000 })).rejects.toThrow('port must be an integer in 1..65535, got 70000');
    await expect(startEmbeddedPostgres({ dataDir, database: 'x; DROP' })).rejects.toThrow(/is not a plain identifier/);
  });

  it('explains a parent folder the server user cannot enter', () => {
    const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-private-')); // 0700, ours
    try {
      expect(() => assertDirectoryReachableBy(path.join(privateDir, 'data'), 65534, 'The postgres system user')).toThrow(
        `The postgres system user (uid 65534) cannot enter ${privateDir} (mode 700), so it cannot reach the data directory`,
      );
      fs.chmodSync(privateDir, 0o711);
      expect(() => assertDirectoryReachableBy(path.join(privateDir, 'data'), 65534)).not.toThrow();
    } finally {
      fs.rmSync(privateDir, { recursive: true, force: true });
    }
  });
});
