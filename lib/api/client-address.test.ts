import { afterEach, describe, expect, it } from 'vitest';
import { clientKey, markPeerStamping, normalizeAddress, parseTrustedProxies, PEER_HEADER, resolveClient } from './client-address';

const none = parseTrustedProxies('');

describe('resolveClient', () => {
  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(resolveClient('203.0.113.7', '1.2.3.4, 5.6.7.8', none)).toBe('203.0.113.7');
    expect(resolveClient('::ffff:127.0.0.1', '9.9.9.9', none)).toBe('127.0.0.1');
    expect(resolveClient(null, '9.9.9.9', none)).toBe('unknown');
  });

  it('behind a trusted proxy, takes the right-most hop that is not a trusted proxy', () => {
    const trusted = parseTrustedProxies('127.0.0.1, 10.0.0.0/8');
    // The client wrote "6.6.6.6" itself; the proxy appended the real peer 198.51.100.4.
    expect(resolveClient('127.0.0.1', '6.6.6.6, 198.51.100.4', trusted)).toBe('198.51.100.4');
    // Two proxies: the edge one (10.1.2.3) appended the client, the inner one appended the edge.
    expect(resolveClient('127.0.0.1', '6.6.6.6, 198.51.100.4, 10.1.2.3', trusted)).toBe('198.51.100.4');
    // A request from an untrusted peer: its X-Forwarded-For means nothing.
    expect(resolveClient('192.0.2.1', '6.6.6.6', trusted)).toBe('192.0.2.1');
    // Every hop trusted: the left-most is the client.
    expect(resolveClient('127.0.0.1', '10.0.0.5, 10.0.0.6', trusted)).toBe('10.0.0.5');
    // Garbage in the chain stops the walk at the last hop known good.
    expect(resolveClient('127.0.0.1', 'not-an-ip, 10.0.0.9', trusted)).toBe('10.0.0.9');
    expect(resolveClient('127.0.0.1', 'not-an-ip', trusted)).toBe('127.0.0.1');
  });

  it('reads IPv6 ranges and refuses malformed entries by name', () => {
    const trusted = parseTrustedProxies('::1,fd00::/8');
    expect(resolveClient('::1', '2001:db8::1, fd00::3', trusted)).toBe('2001:db8::1');
    expect(() => parseTrustedProxies('127.0.0.1,proxy.local')).toThrow(/"proxy.local" is not an IP address/);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/10.0.0.0\/33/);
  });

  it('normalizes addresses', () => {
    expect(normalizeAddress('[::1]')).toBe('::1');
    expect(normalizeAddress(' 1.2.3.4:8080 ')).toBe('1.2.3.4');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('x')).toBeNull();
  });
});

describe('clientKey', () => {
  afterEach(() => delete process.env.HEADWIKI_TRUSTED_PROXIES);

  it('reads the stamped peer, and X-Forwarded-For only from a configured proxy', () => {
    markPeerStamping();
    const req = (peer: string, xff?: string) =>
      new Request('http://x', { headers: { [PEER_HEADER]: peer, ...(xff ? { 'x-forwarded-for': xff } : {}) } });
    expect(clientKey(req('127.0.0.1', '1.1.1.1'))).toBe('127.0.0.1');
    process.env.HEADWIKI_TRUSTED_PROXIES = '127.0.0.1';
    expect(clientKey(req('127.0.0.1', '1.1.1.1'))).toBe('1.1.1.1');
    expect(clientKey(req('127.0.0.1', '1.1.1.1, 2.2.2.2'))).toBe('2.2.2.2');
    expect(clientKey(req('8.8.8.8', '1.1.1.1'))).toBe('8.8.8.8');
  });
});
