import { describe, expect, it } from 'vitest';
import { preflightResponse } from './cors';
import { notModified, sendJson } from './respond';

describe('ETag revalidation', () => {
  const etag = sendJson(new Request('http://x/api'), { a: 1 }, { pinned: true }).headers.get('etag')!;
  const withHeader = (v: string) => new Request('http://x/api', { headers: { 'If-None-Match': v } });

  it('matches weakly (W/ prefix), in lists, and *', () => {
    expect(notModified(withHeader(etag), etag)).toBe(true);
    expect(notModified(withHeader(`W/${etag}`), etag)).toBe(true);
    expect(notModified(withHeader(`"other", ${etag}`), etag)).toBe(true);
    expect(notModified(withHeader('*'), etag)).toBe(true);
    expect(notModified(withHeader('"other"'), etag)).toBe(false);
    expect(notModified(new Request('http://x/api'), etag)).toBe(false);
  });

  it('keeps caching headers on the 304 and adds extra headers', () => {
    const res = sendJson(withHeader(etag), { a: 1 }, { pinned: true, headers: { Link: '</next>; rel="next"' } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('link')).toBe('</next>; rel="next"');
  });
});

describe('CORS preflight', () => {
  it('allows reads from any origin and exposes the caching and paging headers', () => {
    const res = preflightResponse();
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/ETag.*Link.*Retry-After/);
  });
});
