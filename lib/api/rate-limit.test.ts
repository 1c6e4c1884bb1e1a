import { afterEach, describe, expect, it, vi } from 'vitest';
import { markPeerStamping, PEER_HEADER } from './client-address';
import { rateLimit, resetRateLimits } from './rate-limit';

// As served by scripts/lib/serve-next.ts: the socket's address stamped on the request.
markPeerStamping();
const from = (ip: string) => new Request('http://x/api/v1/live', { headers: { [PEER_HEADER]: ip, 'x-forwarded-for': '10.9.9.9' } });

describe('rateLimit', () => {
  afterEach(() => resetRateLimits());

  it('lets a burst through, then answers 429 with Retry-After until a token is refilled', async () => {
    let now = 1_000_000;
    resetRateLimits(() => now);
    const opts = { bucket: 'live', perMinute: 6, burst: 3 }; // one token every 10 s
    for (let i = 0; i < 3; i++) expect(rateLimit(from('1.2.3.4'), opts)).toBeNull();
    const limited = rateLimit(from('1.2.3.4'), opts)!;
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    const body = await limited.json();
    expect(body.error).toMatchObject({ status: 429, retryAfterSeconds: 10, bucket: 'live', limitPerMinute: 6 });
    expect(body.error.message).toMatch(/retry in 10 s/);

    now += 4_000; // 0.4 token: still 6 s to wait
    expect(rateLimit(from('1.2.3.4'), opts)!.headers.get('retry-after')).toBe('6');
    now += 6_000;
    expect(rateLimit(from('1.2.3.4'), opts)).toBeNull();
    expect(rateLimit(from('1.2.3.4'), opts)?.status).toBe(429);
  });

  it('keeps clients and buckets apart', () => {
    resetRateLimits(() => 0);
    const opts = { bucket: 'live', perMinute: 1 };
    expect(rateLimit(from('1.1.1.1'), opts)).toBeNull();
    expect(rateLimit(from('1.1.1.1'), opts)?.status).toBe(429);
    expect(rateLimit(from('2.2.2.2'), opts)).toBeNull();
    expect(rateLimit(from('1.1.1.1'), { bucket: 'export', perMinute: 1 })).toBeNull();
  });

  it('charges `cost` tokens', () => {
    resetRateLimits(() => 0);
    expect(rateLimit(from('3.3.3.3'), { bucket: 'live', perMinute: 10, cost: 7 })).toBeNull();
    expect(rateLimit(from('3.3.3.3'), { bucket: 'live', perMinute: 10, cost: 7 })?.status).toBe(429);
    expect(rateLimit(from('3.3.3.3'), { bucket: 'live', perMinute: 10, cost: 3 })).toBeNull();
  });

  it('keeps one budget per client whatever X-Forwarded-For says (no trusted proxy)', () => {
    resetRateLimits(() => 0);
    const opts = { bucket: 'live', perMinute: 2 };
    const spoofed = (xff: string) => new Request('http://x', { headers: { [PEER_HEADER]: '5.5.5.5', 'x-forwarded-for': xff } });
    expect(rateLimit(spoofed('1.0.0.1'), opts)).toBeNull();
    expect(rateLimit(spoofed('1.0.0.2'), opts)).toBeNull();
    expect(rateLimit(spoofed('1.0.0.3'), opts)?.status).toBe(429);
  });

  it('shares its buckets across copies of the module (pages and route handlers are bundled apart)', async () => {
    resetRateLimits(); // the real clock, as the other copy has
    const opts = { bucket: 'live', perMinute: 1 };
    expect(rateLimit(from('6.6.6.6'), opts)).toBeNull();
    vi.resetModules();
    const copy = await import('./rate-limit');
    expect(copy.rateLimit).not.toBe(rateLimit);
    expect(copy.rateLimit(from('6.6.6.6'), opts)?.status).toBe(429);
  });

  it('refuses nonsense options', () => {
    expect(() => rateLimit(from('1.1.1.1'), { bucket: 'live', perMinute: 0 })).toThrow(/perMinute/);
    expect(() => rateLimit(from('1.1.1.1'), { bucket: 'Live!', perMinute: 1 })).toThrow(/bucket/);
    expect(() => rateLimit(from('1.1.1.1'), { bucket: 'live', perMinute: 1, cost: 2 })).toThrow(/cost/);
  });
});
