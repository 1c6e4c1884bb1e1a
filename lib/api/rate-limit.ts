/**
 * Per-client rate limiting for the expensive endpoints (live inference on custom text, large exports).
 *
 * Usage, first thing in a route handler:
 *
 *   import { rateLimit } from '@/lib/api/rate-limit';
 *   export const GET = withApiErrors(async (request: Request) => {
 *     const limited = rateLimit(request, { bucket: 'live', perMinute: 20 });
 *     if (limited) return limited;          // a 429 JSON response with Retry-After
 *     ...
 *   });
 *
 * Each (bucket, client) pair has a token bucket holding up to `burst` tokens (default `perMinute`),
 * refilled continuously at `perMinute` tokens per minute; a request takes one token (or `cost`).
 * With no token left the answer is 429 `{ error: { message, status: 429, retryAfterSeconds, bucket,
 * limitPerMinute } }` and a `Retry-After` header (whole seconds) saying when one token will be back.
 *
 * The client is `clientKey` (lib/api/client-address.ts): the socket's address, or behind a proxy named in
 * `HEADWIKI_TRUSTED_PROXIES` the right-most untrusted `X-Forwarded-For` hop. The buckets live in this process's
 * memory, on globalThis: Next bundles this module once for route handlers and once for server components, and
 * pages and the API must draw on one budget per client (they used to keep two). With several server processes
 * each one limits on its own, which is good enough to keep one visitor from tying up one server (the design's
 * promise), not a billing-grade quota.
 */
import { clientKey } from './client-address';
import { errorBody } from './errors';

export { clientKey } from './client-address';

export interface RateLimitOptions {
  /** Name of the limited resource; clients have one bucket per name (`live`, `export`, ...). */
  bucket: string;
  /** Sustained rate: tokens added per minute. */
  perMinute: number;
  /** Bucket size: how many requests may come at once after a quiet spell (default `perMinute`). */
  burst?: number;
  /** Tokens this request takes (default 1), e.g. proportional to the text length. */
  cost?: number;
}

interface BucketState {
  tokens: number;
  /** ms timestamp of the last refill. */
  at: number;
}

const STATE_KEY = Symbol.for('headwiki.rateLimitBuckets');
const buckets: Map<string, BucketState> = ((globalThis as Record<symbol, unknown>)[STATE_KEY] ??= new Map()) as Map<string, BucketState>;
/** Above this many tracked clients, full (idle) buckets are forgotten: they carry no information. */
const MAX_TRACKED = 10_000;

let clock: () => number = () => Date.now();

function validate(opts: RateLimitOptions): { capacity: number; perMs: number; cost: number } {
  if (!/^[a-z][a-z0-9_-]*$/.test(opts.bucket)) throw new Error(`rateLimit: bucket must be a lower-case name, got "${opts.bucket}"`);
  if (!(opts.perMinute > 0) || !Number.isFinite(opts.perMinute)) throw new Error(`rateLimit: perMinute must be > 0, got ${opts.perMinute}`);
  const capacity = opts.burst ?? opts.perMinute;
  if (!(capacity >= 1) || !Number.isFinite(capacity)) throw new Error(`rateLimit: burst must be ≥ 1, got ${capacity}`);
  const cost = opts.cost ?? 1;
  if (!(cost > 0) || cost > capacity) throw new Error(`rateLimit: cost must be in (0, burst=${capacity}], got ${cost}`);
  return { capacity, perMs: opts.perMinute / 60_000, cost };
}

function prune(now: number, perMs: number, capacity: number): void {
  if (buckets.size < MAX_TRACKED) return;
  for (const [key, b] of buckets) {
    if (b.tokens + (now - b.at) * perMs >= capacity) buckets.delete(key);
  }
}

/**
 * Takes a token for this request's client. Returns null when the request may go ahead, or the
 * 429 Response to return when the client is over its limit.
 */
export function rateLimit(request: Request | { headers: Headers }, opts: RateLimitOptions): Response | null {
  const { capacity, perMs, cost } = validate(opts);
  const now = clock();
  const key = `${opts.bucket}\u0000${clientKey(request)}`;
  let state = buckets.get(key);
  if (!state) {
    prune(now, perMs, capacity);
    state = { tokens: capacity, at: now };
    buckets.set(key, state);
  }
  state.tokens = Math.min(capacity, state.tokens + Math.max(0, now - state.at) * perMs);
  state.at = now;
  if (state.tokens >= cost) {
    state.tokens -= cost;
    return null;
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((cost - state.tokens) / perMs / 1000));
  const body = errorBody(
    429,
    `too many requests to this endpoint: the limit is ${opts.perMinute} per minute per client ` +
      `(bursts up to ${capacity}); retry in ${retryAfterSeconds} s`,
    { retryAfterSeconds, bucket: opts.bucket, limitPerMinute: opts.perMinute },
  );
  return Response.json(body, {
    status: 429,
    headers: {
      'Retry-After': String(retryAfterSeconds),
      'Cache-Control': 'no-store',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Retry-After',
    },
  });
}

/** Tests only: forget every bucket and optionally replace the clock (ms). */
export function resetRateLimits(now?: () => number): void {
  buckets.clear();
  clock = now ?? (() => Date.now());
}
