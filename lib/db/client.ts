/**
 * The one PrismaClient of the process. Prisma 7 talks to Postgres through a driver adapter (pg);
 * the query engine is WebAssembly inside @prisma/client, so nothing native is needed.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

interface CachedClient {
  url: string;
  client: PrismaClient;
}

// On globalThis so that Next's dev server, which re-evaluates modules on every edit, reuses the
// connection pool instead of opening a new one each time.
const cache = globalThis as typeof globalThis & { __headwikiPrisma?: CachedClient };

export function getPrisma(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. `npm start` sets it for its embedded Postgres; otherwise set it, e.g. ' +
        'DATABASE_URL=postgresql://user:password@127.0.0.1:5432/headwiki',
    );
  }
  const cached = cache.__headwikiPrisma;
  if (cached && cached.url === url) return cached.client;
  // DATABASE_URL changed (tests starting their own server): drop the old pool.
  if (cached) void cached.client.$disconnect().catch(() => {});
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, statement_timeout: statementTimeoutMs() }) });
  cache.__headwikiPrisma = { url, client };
  return client;
}

/**
 * HEADWIKI_STATEMENT_TIMEOUT_MS: a time limit on every statement of this process (Postgres cancels it, SQLSTATE
 * 57014). The web server sets it (scripts/lib/serve-next.ts) so that no request — a costly search, a hostile
 * query — can hold a connection and a core for long; workers and the CLI, which write for minutes, leave it unset.
 */
function statementTimeoutMs(): number | undefined {
  const ms = Number(process.env.HEADWIKI_STATEMENT_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/** Closes the pool so that a script or test process can exit promptly. */
export async function closePrisma(): Promise<void> {
  const cached = cache.__headwikiPrisma;
  cache.__headwikiPrisma = undefined;
  if (cached) await cached.client.$disconnect();
}
