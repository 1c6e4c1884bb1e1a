/**
 * At most a few live page renders (`?text=`, `?probe=`: rendered per request, never cached) in one server at once.
 * A live page costs the web server's one thread a whole uncached render; a burst of them (a client's live budget is
 * 60 at once) starved the cached pages served by the same thread (bench/serve.ts --live-only: the cached head
 * page's p99 rose to 1.6 s). Beyond the limit a live page answers 503 with Retry-After at once, costing nothing.
 */
import { LIVE_QUERY_PREFIX, queryRewrite } from './page-query';

/** Default concurrent live page renders per server process (HEADWIKI_LIVE_RENDERS overrides). */
export const DEFAULT_LIVE_RENDERS = 1;

/** Seconds a refused live page asks the reader to wait. */
export const LIVE_RENDER_RETRY_AFTER_S = 2;

/** Whether a request URL (path and query) is a live page render. */
export function isLivePageRender(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  if (q < 0) return false;
  return queryRewrite(raw.slice(0, q), raw.slice(q))?.startsWith(`${LIVE_QUERY_PREFIX}/`) ?? false;
}

export class LiveRenderGate {
  private inFlight = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`LiveRenderGate: the limit must be a positive integer, got ${limit}`);
  }

  get active(): number {
    return this.inFlight;
  }

  /** Takes a slot, or returns null when all are taken; the returned function gives it back (once). */
  tryEnter(): (() => void) | null {
    if (this.inFlight >= this.limit) return null;
    this.inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight--;
    };
  }
}
