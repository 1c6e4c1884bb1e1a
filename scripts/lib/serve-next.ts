/**
 * The production web server `npm start` runs: Next's request handler behind Node's own HTTP server, so that
 *  - a repeated GET of a page or API response Next marked cacheable is answered from memory until the next publish
 *    (lib/serve-cache/front-cache.mjs: ~0.5 ms of CPU against 8–11 ms for Next's own ISR hit);
 *  - every request carries its socket's address, stamped in PEER_HEADER (a copy sent by a client is deleted):
 *    `next start` hands pages and route handlers no socket, only headers a client can write, and per-client
 *    budgets keyed on `X-Forwarded-For` were bypassed by rotating it (lib/api/client-address.ts reads the stamp);
 *  - requests Node refuses before Next sees them (headers over 16 KB, malformed requests) get the API's JSON error
 *    shape (431 / 400) instead of a bare status line, and methods Next has no handler for (TRACE: an empty 500
 *    inside Next) a JSON 405 with Allow (404 for an unknown API path).
 * Usage: `node --import tsx scripts/lib/serve-next.ts` with PORT (default 3000) and optionally HEADWIKI_HOST (the address to listen on; all by default).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import next from 'next';
import { markPeerStamping, parseTrustedProxies, PEER_HEADER } from '../../lib/api/client-address';
import { jsonError } from '../../lib/api/errors';
import { refuseApiRequest } from '../../lib/api/request-guard';
import { publicBaseUrl } from '../../lib/api/public-url';
import { repoRoot } from './paths';
import { FrontCache } from '../../lib/serve-cache/front-cache.mjs';
import { databaseGenerationReader, PublishGeneration } from '../../lib/serve-cache/publish-generation.mjs';
import { DEFAULT_LIVE_RENDERS, isLivePageRender, LIVE_RENDER_RETRY_AFTER_S, LiveRenderGate } from '../../lib/serve-cache/live-render-gate';

/** A statement of the web server that runs longer is cancelled (the request answers 503); HEADWIKI_STATEMENT_TIMEOUT_MS overrides. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

/** Node's default; a request whose headers are larger is answered 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

function refuse(socket: Socket, status: number, reason: string, message: string, head: boolean): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message, status } });
  // A HEAD request gets the headers only (a body would be read as the start of another response).
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${head ? '' : body}`,
  );
}

/** The methods Next's router answers (its HTTP_METHODS); anything else is refused here. */
const NEXT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']);

async function refuseMethod(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0];
  const method = req.method ?? '';
  // API paths: the proxy's own answer (404 for an unknown path, else 405 with the route's Allow); pages: GET, HEAD, POST.
  const refusal = pathname.startsWith('/api/')
    ? refuseApiRequest(method, pathname, new Headers())!
    : jsonError(405, `method ${method.slice(0, 20)} is not allowed here; pages answer GET, HEAD, POST`, { allow: ['GET', 'HEAD', 'POST'] });
  if (!pathname.startsWith('/api/')) refusal.headers.set('Allow', 'GET, HEAD, POST');
  res.writeHead(refusal.status, Object.fromEntries(refusal.headers));
  res.end(await refusal.text());
}

/**
 * Node's HTTP server around `handle`: stamps each request's socket address in PEER_HEADER (replacing any copy
 * the client sent) and answers what Node refuses before any handler (oversized headers, malformed requests) in
 * the API's JSON error shape.
 */
export function createStampingServer(handle: http.RequestListener): http.Server {
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    delete req.headers[PEER_HEADER];
    const peer = req.socket.remoteAddress;
    if (peer) req.headers[PEER_HEADER] = peer;
    // Methods Next has no handler for (TRACE, CONNECT, ...) fail inside it as an empty 500 before proxy.ts runs.
    if (!NEXT_METHODS.has(req.method ?? '')) return void refuseMethod(req, res);
    handle(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const head = err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      refuse(
        socket,
        431,
        'Request Header Fields Too Large',
        `request headers too large: at most ${MAX_HEADER_BYTES / 1024} KB in all`,
        head,
      );
    } else if (err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.destroy();
    } else {
      refuse(socket, 400, 'Bad Request', `malformed HTTP request (${err.code ?? 'parse error'})`, head);
    }
  });
  return server;
}

export async function serveNext(opts: { port: number; hostname?: string; dir?: string }): Promise<http.Server> {
  // Configuration errors stop the start with their message, not the first request.
  parseTrustedProxies(process.env.HEADWIKI_TRUSTED_PROXIES);
  publicBaseUrl();
  // The site only reads: no statement of a request may run longer than this (lib/db/client.ts).
  process.env.HEADWIKI_STATEMENT_TIMEOUT_MS ??= String(DEFAULT_STATEMENT_TIMEOUT_MS);

  const app = next({ dev: false, dir: opts.dir ?? repoRoot, port: opts.port, hostname: opts.hostname });
  await app.prepare();
  const handle = app.getRequestHandler();
  markPeerStamping();

  const cache = new FrontCache(
    new PublishGeneration(databaseGenerationReader(), { intervalMs: Number(process.env.HEADWIKI_PUBLISH_POLL_MS ?? 1000) }),
    Number(process.env.HEADWIKI_FRONT_CACHE_MB ?? 256) * 1024 * 1024,
  );
  const liveGate = new LiveRenderGate(Number(process.env.HEADWIKI_LIVE_RENDERS ?? DEFAULT_LIVE_RENDERS));
  const serve: http.RequestListener = (req, res) => {
    cache
      .handle(req, res, (q, r) => handle(q, r))
      .catch((err: unknown) => {
        console.error('[headwiki] front cache:', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { message: 'internal error', status: 500 } }));
      });
  };
  const server = createStampingServer((req, res) => {
    if (!isLivePageRender(req.method, req.url)) return serve(req, res);
    void liveGate.enter().then((leave) => {
      if (!leave) {
        res.writeHead(503, {
          'content-type': 'text/plain; charset=utf-8',
          'retry-after': String(LIVE_RENDER_RETRY_AFTER_S),
          'cache-control': 'no-store',
        });
        res.end(`Live inference is busy: try again in ${LIVE_RENDER_RETRY_AFTER_S} s.\n`);
        return;
      }
      // A reader who left while waiting: give the slot straight back ('close' has already fired).
      if (res.destroyed || req.socket.destroyed) return leave();
      res.once('close', leave);
      serve(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  serveNext({ port, hostname: process.env.HEADWIKI_HOST || undefined }).then(
    () => console.log(`[headwiki] web server listening on port ${port}`),
    (err) => {
      console.error(`[headwiki] web server failed to start: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
