/**
 * Who a request comes from, for per-client budgets (rate limits, the live-inference budget).
 *
 * The client is the TCP peer — the socket's remote address — which a visitor cannot choose. Only when
 * the peer is a reverse proxy named in `HEADWIKI_TRUSTED_PROXIES` (comma-separated addresses or CIDR
 * ranges, e.g. `127.0.0.1,10.0.0.0/8`) is `X-Forwarded-For` read, from the right: each trusted hop
 * appended its peer, so the right-most address that is not a trusted proxy is the client. Anything to
 * its left was written by the client itself and is ignored (rotating it used to buy a fresh budget).
 *
 * Next does not hand route handlers or server components the socket, so the server (scripts/lib/serve-next.ts)
 * stamps the peer into the `PEER_HEADER` request header after deleting any copy a client sent, and marks the
 * process as stamping (`markPeerStamping`). Without that mark (a bare `next start`) the stamp is not trusted and
 * the peer is read from Next's own `X-Forwarded-For` (the socket address when the client sent none, otherwise
 * the client's last entry — spoofable; run the site with `npm start`).
 */
import { BlockList, isIP } from 'node:net';

export const PEER_HEADER = 'x-headwiki-peer';

const STAMPING = Symbol.for('headwiki.peerStamping');

/** Called once by the server that stamps PEER_HEADER on every request it hands to Next. */
export function markPeerStamping(): void {
  (globalThis as Record<symbol, unknown>)[STAMPING] = true;
}

function peerIsStamped(): boolean {
  return (globalThis as Record<symbol, unknown>)[STAMPING] === true;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; brackets and zone ids removed; null when not an IP address. */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let a = raw.trim();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  a = a.replace(/%.*$/, '');
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a)) a = a.slice(7);
  // `1.2.3.4:5678` (some proxies add the port).
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  return isIP(a) ? a.toLowerCase() : null;
}

export interface TrustedProxies {
  /** True when the address is one of the configured proxies. */
  has(address: string): boolean;
  readonly size: number;
}

/** Parses `HEADWIKI_TRUSTED_PROXIES`; throws naming the entry that is neither an address nor a CIDR range. */
export function parseTrustedProxies(spec: string | undefined): TrustedProxies {
  const list = new BlockList();
  let size = 0;
  for (const entry of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, bits, extra] = entry.split('/');
    const ip = normalizeAddress(addr);
    const family = ip ? (isIP(ip) === 4 ? 'ipv4' : 'ipv6') : null;
    const prefix = bits === undefined ? null : Number(bits);
    const maxBits = family === 'ipv4' ? 32 : 128;
    if (!ip || !family || extra !== undefined || (prefix !== null && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxBits))) {
      throw new Error(`HEADWIKI_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1)`);
    }
    if (prefix === null) list.addAddress(ip, family);
    else list.addSubnet(ip, prefix, family);
    size++;
  }
  return {
    size,
    has: (address) => {
      const ip = normalizeAddress(address);
      return ip !== null && list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * The client behind `peer`: the peer itself, unless it is a trusted proxy; then the right-most
 * `X-Forwarded-For` hop that is not a trusted proxy (the left-most hop when all are trusted).
 */
export function resolveClient(peer: string | null, forwardedFor: string | null, trusted: TrustedProxies): string {
  const self = normalizeAddress(peer);
  if (!self) return 'unknown';
  if (trusted.size === 0 || !trusted.has(self) || !forwardedFor) return self;
  const hops = forwardedFor.split(',').map((h) => normalizeAddress(h));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    // A malformed hop means the chain cannot be read further: the last good trusted hop's peer is the client.
    if (hop === null) return i + 1 < hops.length ? hops[i + 1]! : self;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? self;
}

let trustedCache: { spec: string | undefined; parsed: TrustedProxies } | null = null;

/** The configured proxies (re-read when the variable changes: tests set it). */
export function trustedProxies(): TrustedProxies {
  const spec = process.env.HEADWIKI_TRUSTED_PROXIES;
  if (!trustedCache || trustedCache.spec !== spec) trustedCache = { spec, parsed: parseTrustedProxies(spec) };
  return trustedCache.parsed;
}

/** The client a request is counted against (see the file comment). */
export function clientKey(request: Request | { headers: Headers }): string {
  const h = request.headers;
  const forwarded = h.get('x-forwarded-for');
  const peer = peerIsStamped() ? h.get(PEER_HEADER) : (forwarded?.split(',').pop() ?? null);
  return resolveClient(peer, forwarded, trustedProxies());
}
