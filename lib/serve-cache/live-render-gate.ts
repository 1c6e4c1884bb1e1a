/**
 * At most a few live page renders (`?text=`, `?probe=`: rendered per request, never cached) in one server at once.
 * A live page costs the web server's one thread a whole uncached render; a burst of them (a client's live budget is
 * 60 at once) starved the cached pages served by the same thread (bench/serve.ts --live-only: the cached head
 * page's p99 rose to 1.6 s). Beyond the limit a few live pages wait briefly for a slot (a reader who clicks while
 * another live page renders, e.g. a link prefetch); the rest answer 503 with Retry-After at once, costing nothing.
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

/** Default readers that may wait for a slot, and for how long, before a live page answers 503. */
export const DEFAULT_LIVE_WAITING = 4;
export const DEFAULT_LIVE_WAIT_MS = 5_000;

type Leave = () => void;

export class LiveRenderGate {
  private inFlight = 0;
  private readonly waiting: { admit: (leave: Leave | null) => void; timer: NodeJS.Timeout }[] = [];

  /**
   * `limit` renders at once; beyond it up to `maxWaiting` requests wait (FIFO) at most `maxWaitMs` for a slot — a
   * reader who clicks while another live page renders gets the page a moment later, not a 503 — and the rest are
   * refused at once. A waiting request costs the server nothing but its socket.
   */
  constructor(
    readonly limit: number,
    readonly maxWaiting = DEFAULT_LIVE_WAITING,
    readonly maxWaitMs = DEFAULT_LIVE_WAIT_MS,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`LiveRenderGate: the limit must be a positive integer, got ${limit}`);
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0)
      throw new Error(`LiveRenderGate: maxWaiting must be an integer ≥ 0, got ${maxWaiting}`);
  }

  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a slot now, or returns null when all are taken; the returned function gives it back (once). */
  tryEnter(): Leave | null {
    if (this.inFlight >= this.limit) return null;
    this.inFlight++;
    return this.leaver();
  }

  /** Takes a slot, waiting for one if the queue has room; null when refused or when the wait ran out. */
  enter(): Promise<Leave | null> {
    const now = this.tryEnter();
    if (now) return Promise.resolve(now);
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve(null);
    return new Promise((resolve) => {
      const entry = {
        admit: resolve,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve(null);
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private leaver(): Leave {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      if (next) {
        // The slot passes straight to the first waiter: inFlight is unchanged.
        clearTimeout(next.timer);
        next.admit(this.leaver());
      } else {
        this.inFlight--;
      }
    };
  }
}
