import { afterEach, describe, expect, it } from 'vitest';
import { clientKey, rateLimit, resetRateLimits } from './rate-limit';

const from = (ip: string) => new Request('http://x/api/v1/live', { headers: { 'x-forwarded-for': `${ip}, 10.0.0.1` } });

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

  it('reads the client from X-Forwarded-For, then X-Real-IP', () => {
    expect(clientKey(from('9.9.9.9'))).toBe('9.9.9.9');
    expect(clientKey(new Request('http://x', { headers: { 'x-real-ip': '8.8.8.8' } }))).toBe('8.8.8.8');
    expect(clientKey(new Request('http://x'))).toBe('unknown');
  });

  it('refuses nonsense options', () => {
    expect(() => rateLimit(from('1.1.1.1'), { bucket: 'live', perMinute: 0 })).toThrow(/perMinute/);
    expect(() => rateLimit(from('1.1.1.1'), { bucket: 'Live!', perMinute: 1 })).toThrow(/bucket/);
    expect(() => rateLimit(from('1.1.1.1'), { bucket: 'live', perMinute: 1, cost: 2 })).toThrow(/cost/);
  });
});
