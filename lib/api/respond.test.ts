import { describe, expect, it } from 'vitest';
import { sendCsv, sendJson } from './respond';

describe('responses', () => {
  it('caches pinned responses for a year and latest ones for a minute, with a strong ETag', async () => {
    const pinned = sendJson(new Request('http://x/api'), { a: 1 }, { pinned: true });
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(pinned.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(await pinned.json()).toEqual({ a: 1 });
    const latest = sendJson(new Request('http://x/api'), { a: 1 }, { pinned: false });
    expect(latest.headers.get('cache-control')).toMatch(/^public, max-age=60/);
    expect(latest.headers.get('etag')).toBe(pinned.headers.get('etag'));
    // Both may be kept by npm start's front cache until the next publish (lib/serve-cache/front-cache.mjs).
    expect(latest.headers.get('x-headwiki-cacheable')).toBe('until-publish');
  });

  it('answers 304 when If-None-Match carries the same ETag', () => {
    const first = sendJson(new Request('http://x/api'), { a: 1 }, { pinned: true });
    const etag = first.headers.get('etag')!;
    const again = sendJson(new Request('http://x/api', { headers: { 'If-None-Match': etag } }), { a: 1 }, { pinned: true });
    expect(again.status).toBe(304);
    const changed = sendJson(new Request('http://x/api', { headers: { 'If-None-Match': etag } }), { a: 2 }, { pinned: true });
    expect(changed.status).toBe(200);
  });

  it('serves CSV as text/csv with a file name', async () => {
    const res = sendCsv(new Request('http://x/api'), 'a,b\n1,2\n', { pinned: false, filename: 'stories260K heads.csv' });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="stories260K_heads.csv"');
    expect(await res.text()).toBe('a,b\n1,2\n');
  });
});
