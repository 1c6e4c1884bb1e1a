import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, errorResponse, jsonError, withApiErrors } from './errors';

describe('api errors', () => {
  it('writes the agreed JSON error shape', async () => {
    const res = jsonError(404, 'unknown model "x"');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: { message: 'unknown model "x"', status: 404 } });
  });

  it('keeps extra details but never lets them override message or status', async () => {
    const res = jsonError(400, 'bad sort', { validSorts: ['a'], status: 999 });
    expect(await res.json()).toEqual({ error: { validSorts: ['a'], message: 'bad sort', status: 400 } });
  });

  it('turns ApiError and ZodError into 4xx and anything else into a logged 500', async () => {
    expect(errorResponse(new ApiError(400, 'layer: bad')).status).toBe(400);
    const zodFailure = z.object({ layer: z.number() }).safeParse({ layer: 'x' });
    const zres = errorResponse(zodFailure.error);
    expect(zres.status).toBe(400);
    expect((await zres.json()).error.message).toMatch(/^layer: /);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = errorResponse(new Error('db down'));
    expect(res.status).toBe(500);
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });

  it('wraps handlers', async () => {
    const handler = withApiErrors(async (n: number) => {
      if (n < 0) throw new ApiError(400, 'n must be ≥ 0');
      return Response.json({ n });
    });
    expect((await handler(1)).status).toBe(200);
    const bad = await handler(-1);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: 'n must be ≥ 0', status: 400 } });
  });

  it('refuses non-error status codes', () => {
    expect(() => new ApiError(200, 'ok')).toThrow('ApiError status must be an HTTP error code 400..599, got 200');
  });

  it('says when to retry (Retry-After) and turns a cancelled statement into a 503', async () => {
    const res = jsonError(503, 'busy', { retryAfterSeconds: 4.2 });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(jsonError(400, 'x').headers.get('retry-after')).toBeNull();
    const cancelled = Object.assign(new Error('query failed'), {
      cause: { originalCode: '57014', message: 'canceling statement due to statement timeout' },
    });
    const timeout = errorResponse(cancelled);
    expect(timeout.status).toBe(503);
    expect(timeout.headers.get('retry-after')).toBe('10');
    expect((await timeout.json()).error.status).toBe(503);
  });
});
