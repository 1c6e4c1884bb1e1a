/**
 * The response cache in front of Next (scripts/lib/serve-next.ts, the server npm start runs). Next serves a cached page (ISR) for 8–11 ms of CPU
 * against ~1.3 ms for a static file (measured, scripts/bench/serve.ts): routing, the proxy and the render pipeline run
 * even on a hit. This cache answers a repeated GET of a page Next marked cacheable (`x-nextjs-cache` on a 200) from
 * memory before Next sees it (and an API response marked `X-Headwiki-Cacheable: until-publish` by lib/api/respond.ts):
 * the stored bytes, gzip made once, a 304 for a matching If-None-Match. Entries carry the
 * publish generation of their miss (publish-generation.mjs) and are served only while it lasts, like Next's own cache
 * (response-cache-handler.mjs), so a publish anywhere empties both within a second. Plain JavaScript, like the
 * cache handler it shares code with (Next loads that at run time, without a build step).
 */
import { gzipSync } from 'node:zlib';
import { BoundedLru } from './response-cache-handler.mjs';

/** Responses bigger than this are passed through and not kept. */
export const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

const ROUTER_HEADERS = ['rsc', 'next-router-state-tree', 'next-router-prefetch', 'next-router-segment-prefetch', 'next-action'];

/** Hop-by-hop and per-response headers not replayed from a stored response. */
const NOT_REPLAYED = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'vary']);

function etagMatches(header, etag) {
  if (!header || !etag) return false;
  const bare = (t) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

export class FrontCache {
  /** @param {import('./publish-generation.mjs').PublishGeneration} generation @param {number} maxBytes */
  constructor(generation, maxBytes) {
    this.generation = generation;
    this.lru = new BoundedLru(maxBytes);
    this.hits = 0;
  }

  /** Answers `req` from the cache, or hands it to `next(req, res)` and keeps what it answers if cacheable. */
  async handle(req, res, next) {
    // The client router's flight requests (RSC headers, `_rsc=`) stay with Next: same URL, other body.
    // Next's build files (/_next/…) are never ISR responses: no point copying them.
    if (
      req.method !== 'GET' ||
      req.url.startsWith('/_next/') ||
      ROUTER_HEADERS.some((h) => req.headers[h] !== undefined) ||
      /[?&]_rsc=/.test(req.url)
    ) {
      return next(req, res);
    }
    const gen = await this.generation.current();
    const key = req.url;
    const e = this.lru.get(key);
    if (e && gen !== null && e.generation === gen) {
      this.hits++;
      return this.replay(req, res, e);
    }
    if (e) this.lru.delete(key);
    if (gen === null) return next(req, res);
    // Next's body uncompressed, so one stored copy serves every client (gzip is made here, once).
    delete req.headers['accept-encoding'];
    this.capture(res, (status, headers, body) => {
      if (status === 200 && (headers['x-nextjs-cache'] || headers['x-headwiki-cacheable'] === 'until-publish') && !headers['set-cookie']) {
        this.lru.set(key, { generation: gen, headers, body, gzip: null, size: body.length * 2 + 1024 });
      }
    });
    return next(req, res);
  }

  replay(req, res, e) {
    const headers = {};
    for (const [k, v] of Object.entries(e.headers)) if (!NOT_REPLAYED.has(k)) headers[k] = v;
    headers['x-nextjs-cache'] = 'HIT';
    const vary = String(e.headers.vary ?? '');
    headers.vary = /accept-encoding/i.test(vary) ? vary : vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding';
    if (etagMatches(req.headers['if-none-match'], e.headers.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    let body = e.body;
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && e.body.length > 1024) {
      e.gzip ??= gzipSync(e.body, { level: 6 });
      body = e.gzip;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(body);
  }

  /** Copies what is written to `res` (up to MAX_ENTRY_BYTES) and calls `done` with it when the response ends. */
  capture(res, done) {
    const chunks = [];
    let bytes = 0;
    let headArgs = {};
    const keep = (chunk, encoding) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || bytes > MAX_ENTRY_BYTES) return;
      const b = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
          : Buffer.from(chunk);
      bytes += b.length;
      chunks.push(b);
    };
    const { write, end, writeHead } = res;
    res.writeHead = function (status, ...rest) {
      const h = rest.find((r) => r && typeof r === 'object');
      if (h) for (const [k, v] of Object.entries(h)) headArgs[k.toLowerCase()] = v;
      return writeHead.call(this, status, ...rest);
    };
    res.write = function (chunk, encoding, cb) {
      keep(chunk, encoding);
      return write.call(this, chunk, encoding, cb);
    };
    res.end = function (chunk, encoding, cb) {
      keep(chunk, encoding);
      const out = end.call(this, chunk, encoding, cb);
      if (bytes <= MAX_ENTRY_BYTES) {
        const headers = { ...Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k.toLowerCase(), v])), ...headArgs };
        try {
          done(res.statusCode, headers, Buffer.concat(chunks));
        } catch {
          // a response that cannot be kept is simply not cached
        }
      }
      return out;
    };
  }
}
