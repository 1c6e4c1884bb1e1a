// The wasm schema engine's failure reporting. In its own file: a panic poisons the wasm instance
// for the rest of the process, which is part of what is tested.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSchemaEngine } from './schema-engine';
import { startTestDatabase, type TestDatabase } from './test-database';

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase();
});

afterAll(async () => {
  await db?.stop();
});

describe('openSchemaEngine', () => {
  it('reports the version of the wasm engine and the server', async () => {
    const session = await openSchemaEngine({ databaseUrl: db.url });
    try {
      expect(await session.run('reading the version', (e) => e.version())).toMatch(/^PostgreSQL 18\./);
    } finally {
      await session.close();
    }
  });

  it('says which server it cannot reach', async () => {
    await expect(openSchemaEngine({ databaseUrl: 'postgresql://u:p@127.0.0.1:1/x' })).rejects.toThrow(
      /Schema engine failed while starting the schema engine: Can't reach database server at `127.0.0.1:1`/,
    );
  });

  it('shows the message of a wasm panic, then refuses to reuse the broken instance', async () => {
    const session = await openSchemaEngine({ databaseUrl: db.url });
    await expect(session.run('testing a panic', async (e) => e.debugPanic())).rejects.toThrow(
      /Schema engine panicked while testing a panic: panicked at .*\nThis is the debugPanic artificial panic/,
    );
    await session.close();
    await expect(openSchemaEngine({ databaseUrl: db.url })).rejects.toThrow(/panicked earlier in this process.*restart the process/);
  });
});
