/**
 * The production web server (`npm start` runs it in place of `next start`): Next's request handler behind the
 * in-memory response cache of lib/serve-cache/front-cache.mjs. Plain JavaScript so that it starts without a build
 * step or a TypeScript loader.
 *   PORT=3000 [HOSTNAME=127.0.0.1] node scripts/serve-site.mjs     (needs a build: next build)
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { FrontCache } from '../lib/serve-cache/front-cache.mjs';
import { databaseGenerationReader, PublishGeneration } from '../lib/serve-cache/publish-generation.mjs';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME_BIND ?? undefined;

const app = next({ dev: false, dir, port, hostname: hostname ?? 'localhost' });
const handle = app.getRequestHandler();
await app.prepare();

const cache = new FrontCache(
  new PublishGeneration(databaseGenerationReader(), { intervalMs: Number(process.env.HEADWIKI_PUBLISH_POLL_MS ?? 1000) }),
  Number(process.env.HEADWIKI_FRONT_CACHE_MB ?? 256) * 1024 * 1024,
);

const server = http.createServer((req, res) => {
  cache.handle(req, res, (q, r) => handle(q, r)).catch((err) => {
    console.error('[serve-site]', err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end();
  });
});
server.listen(port, hostname, () => console.log(`[serve-site] listening on http://${hostname ?? 'localhost'}:${port}`));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
