// HEADWIKI_STATEMENT_TIMEOUT_MS (set by the web server) makes Postgres cancel a long statement, and the API
// reads that cancellation as a 503 with Retry-After, not a 500. Against a real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { errorResponse, isStatementTimeout } from '../api/errors';
import { closePrisma, getPrisma } from './client';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.HEADWIKI_STATEMENT_TIMEOUT_MS = '200';
});
afterAll(async () => {
  delete process.env.HEADWIKI_STATEMENT_TIMEOUT_MS;
  await closePrisma();
  await db?.stop();
});

describe('statement timeout', () => {
  it('cancels a statement over the limit; the API answers 503', async () => {
    const prisma = getPrisma();
    expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    const err = await prisma.$queryRaw`SELECT pg_sleep(2)`.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    expect(isStatementTimeout(err)).toBe(true);
    expect(errorResponse(err).status).toBe(503);
  });
});
