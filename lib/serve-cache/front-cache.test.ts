import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontCache } from './front-cache.mjs';
import { PublishGeneration } from './publish-generation.mjs';

let generation = 'g1';
let calls = 0;
/** A stand-in for Next's handler: ISR pages say so with x-nextjs-cache; everything else does not. */
function fakeNext(req: http.IncomingMessage, res: http.ServerResponse) {
  calls++;
  const url = new URL(req.url!, 'http://x');
  const body = `${url.pathname} rendered #${calls} (gen ${generation}) ${'x'.repeat(2000)}`;
  if (url.pathname === '/cookie') res.setHeader('set-cookie', 'a=1');
  if (url.pathname.startsWith('/api/')) res.setHeader('x-headwiki-cacheable', 'until-publish');
  else if (url.pathname !== '/dynamic') res.setHeader('x-nextjs-cache', 'MISS');
  res.setHeader('etag', `"${calls}"`);
  res.setHeader('vary', 'rsc, next-router-state-tree');
  res.statusCode = url.pathname === '/missing' ? 404 : 200;
  res.write(body.slice(0, 10));
  res.end(body.slice(10));
}

let server: http.Server;
let base = '';
const cache = new FrontCache(new PublishGeneration(async () => generation, { intervalMs: 0 }), 1 << 20);
beforeAll(async () => {
  server = http.createServer((req, res) => void cache.handle(req, res, fakeNext));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(base + path, { headers: { 'accept-encoding': 'identity', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('FrontCache', () => {
  it('answers a repeated GET of a cacheable page from memory, byte for byte, until the next publish', async () => {
    calls = 0;
    const first = await get('/models/m?sort=x');
    const again = await get('/models/m?sort=x');
    expect(calls).toBe(1);
    expect(again.body.equals(first.body)).toBe(true);
    expect(again.headers['x-nextjs-cache']).toBe('HIT');
    expect(again.headers.etag).toBe('"1"');
    expect(again.headers.vary).toBe('rsc, next-router-state-tree, Accept-Encoding');
    generation = 'g2';
    const after = (await get('/models/m?sort=x')).body.toString();
    expect(after).toContain('#2 (gen g2)');
    expect(calls).toBe(2);
  });

  it('keeps API responses marked cacheable until a publish', async () => {
    calls = 0;
    await get('/api/v1/models/m/heads');
    expect((await get('/api/v1/models/m/heads')).headers['x-nextjs-cache']).toBe('HIT');
    expect(calls).toBe(1);
  });

  it('compresses once for gzip clients and answers If-None-Match with 304', async () => {
    const plain = await get('/p');
    const zipped = await get('/p', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const etag = plain.headers.etag as string;
    const revalidated = await get('/p', { 'if-none-match': `W/${etag}` });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('keeps no error page, no dynamic page, nothing with a cookie, and leaves router and non-GET requests to Next', async () => {
    for (const p of ['/missing', '/dynamic', '/cookie']) {
      calls = 0;
      await get(p);
      await get(p);
      expect(calls, p).toBe(2);
    }
    calls = 0;
    await get('/q');
    await get('/q', { rsc: '1' });
    await get('/q?_rsc=abc');
    expect(calls).toBe(3);
    await get('/_next/static/x.js');
    await get('/_next/static/x.js');
    expect(calls).toBe(5);
    await new Promise<void>((resolve) => {
      const req = http.request(base + '/q', { method: 'POST' }, (res) => res.resume().on('end', () => resolve()));
      req.end('x');
    });
    expect(calls).toBe(6);
  });
});
