import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from './errors';
import { decodeCursor, encodeCursor, pageOf, pageOfSorted, parsePage } from './cursor';

const key = z.object({ layer: z.number().int(), head: z.number().int() });
const req = (qs: string) => new Request(`http://x/api/v1/models/m/heads?${qs}`);

describe('cursor pagination', () => {
  it('round-trips a key through an opaque base64url cursor', () => {
    const c = encodeCursor('heads', { layer: 2, head: 5 });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 'heads', key)).toEqual({ layer: 2, head: 5 });
  });

  it('rejects garbage, foreign-scope and wrong-shape cursors with a 400', () => {
    expect(() => decodeCursor('!!', 'heads', key)).toThrow(ApiError);
    expect(() => decodeCursor('bm90LWpzb24', 'heads', key)).toThrow(/not a cursor/);
    expect(() => decodeCursor(encodeCursor('heads:induction:desc', { layer: 1, head: 1 }), 'heads', key)).toThrow(/different query/);
    expect(() => decodeCursor(encodeCursor('heads', { layer: 'x' }), 'heads', key)).toThrow(/not a cursor/);
  });

  it('validates limit', () => {
    const opts = { key, scope: 'heads', defaultLimit: 10, maxLimit: 50 };
    expect(parsePage(new URLSearchParams(''), opts).limit).toBe(10);
    expect(parsePage(new URLSearchParams('limit=50'), opts).limit).toBe(50);
    for (const bad of ['0', '51', '-1', '1.5', 'x', '010']) {
      try {
        parsePage(new URLSearchParams(`limit=${bad}`), opts);
        throw new Error(`limit=${bad} accepted`);
      } catch (e) {
        expect((e as ApiError).status).toBe(400);
        expect((e as Error).message).toMatch(/^limit: must be an integer from 1 to 50/);
      }
    }
  });

  it('walks a list page by page with next links, visiting every item exactly once', () => {
    const all = Array.from({ length: 7 }, (_, i) => ({ layer: Math.floor(i / 3), head: i % 3 }));
    const seen: typeof all = [];
    let qs = 'limit=3&sort=layer';
    let pages = 0;
    for (;;) {
      const request = req(qs);
      const page = parsePage(new URL(request.url).searchParams, { key, scope: 'heads' });
      const { items, page: info } = pageOfSorted(request, all, page, (r) => r);
      seen.push(...items);
      pages++;
      if (!info.next) break;
      expect(info.next).toMatch(/^\/api\/v1\/models\/m\/heads\?limit=3&sort=layer&cursor=/);
      qs = info.next.split('?')[1];
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
  });

  it('has no next page when the keyset read returned limit rows or fewer', () => {
    const page = { limit: 2, after: undefined, scope: 's' };
    expect(pageOf(req(''), [1, 2], page, (x) => x).page.next).toBeNull();
    const more = pageOf(req(''), [1, 2, 3], page, (x) => x);
    expect(more.items).toEqual([1, 2]);
    expect(decodeCursor(more.page.nextCursor!, 's', z.number())).toBe(2);
  });
});
