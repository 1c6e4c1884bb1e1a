/**
 * `npm start`: one command from a fresh clone to a served head wiki.
 *  1. Postgres: DATABASE_URL if set, otherwise an embedded Postgres kept in .headwiki/postgres.
 *  2. Migrations (prisma/migrations), applied without needing Prisma's native engine.
 *  3. The bundled model's wiki, computed and published once if no published run exists.
 *  4. The Next.js site (built when its sources changed), served on PORT (default 3000) by scripts/lib/serve-next.ts:
 *     Next's handler behind an in-memory response cache (lib/serve-cache/front-cache.mjs).
 * The embedded Postgres lives in this process, so this process stays up while the site is served.
 */
import { spawn } from 'node:child_process';
import { repoRoot } from './lib/paths';
import { ensureNextBuild } from './lib/next-build';
import { openDatabase } from './lib/database';
import { ensureBundledWiki } from './lib/ensure-bundled-wiki';

const log = (msg: string) => console.log(`[headwiki] ${msg}`);

async function main() {
  const t0 = Date.now();
  const port = Number(process.env.PORT ?? 3000);
  let stopDatabase = async () => {};
  const shutdown = async (code: number) => {
    await stopDatabase().catch(() => {});
    process.exit(code);
  };

  try {
    stopDatabase = (await openDatabase(log)).stop;
    await ensureBundledWiki({ log });
    if (process.env.HEADWIKI_SKIP_BUILD !== '1') ensureNextBuild(repoRoot, log);
  } catch (err) {
    console.error(`[headwiki] start failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    await shutdown(1);
    return;
  }

  // Next's handler behind our own HTTP server (scripts/lib/serve-next.ts: the socket's address for per-client limits).
  const server = spawn(process.execPath, ['--import', 'tsx', 'scripts/lib/serve-next.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  log(`serving http://localhost:${port}  (ready ${((Date.now() - t0) / 1000).toFixed(1)} s after start)`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      server.kill('SIGTERM');
    });
  }
  server.on('exit', (code) => void shutdown(code ?? 0));
}

void main();
