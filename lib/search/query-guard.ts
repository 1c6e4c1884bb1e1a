/**
 * Bounds on what one search may cost, checked at the entries (/api/v1/search and the /search page) before
 * lib/search runs: a query is refused with a message when it holds a control character (Postgres text cannot
 * hold NUL: `q=a%00b` was a 500), is over MAX_QUERY_LENGTH, or has more than MAX_SEARCH_TERMS terms (each free
 * word is a LIKE scan per example table: 39 words took 3.6–6.8 s). Searches then run at most
 * SEARCH_CONCURRENCY at a time in this process (eight long ones at once stalled every page); a search that
 * cannot start within SEARCH_QUEUE_WAIT_MS is refused as busy (503, Retry-After). Each client also has a
 * `search` rate-limit bucket (SEARCH_PER_MINUTE), and the web server's database statements a time limit
 * (HEADWIKI_STATEMENT_TIMEOUT_MS, scripts/lib/serve-next.ts).
 */
import { ApiError } from '@/lib/api/errors';
import { MAX_QUERY_LENGTH } from './parse';

export const MAX_SEARCH_TERMS = 8;
/** Searches running at once in this process (2 cores: leave the pages room); HEADWIKI_SEARCH_CONCURRENCY overrides it. */
export const SEARCH_CONCURRENCY = Number(process.env.HEADWIKI_SEARCH_CONCURRENCY) > 0 ? Number(process.env.HEADWIKI_SEARCH_CONCURRENCY) : 2;
export const SEARCH_QUEUE_WAIT_MS = 5_000;
/** Searches per client per minute (bursts up to the same number); HEADWIKI_SEARCH_PER_MINUTE overrides it. */
export const SEARCH_PER_MINUTE = Number(process.env.HEADWIKI_SEARCH_PER_MINUTE) > 0 ? Number(process.env.HEADWIKI_SEARCH_PER_MINUTE) : 60;

/** Terms as the search language counts them: "quoted phrases" and words; comparison operators and numbers ride along. */
export function countSearchTerms(q: string): number {
  const tokens = q.match(/"[^"]*"?|[^\s"]+/g) ?? [];
  return tokens.filter((t) => !/^(>=|<=|==?|>|<)$/.test(t) && !/^(>=|<=|==?|>|<)?[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)).length;
}

/** Why a query is refused (a clause naming the limit: "has 39 terms; ..."), or null when it may run. */
export function searchQueryProblem(q: string): string | null {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(q);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains a control character (U+${code}${code === '0000' ? ', NUL' : ''}); search for words, names or numbers`;
  }
  if (q.length > MAX_QUERY_LENGTH) return `has ${q.length} characters; a search takes at most ${MAX_QUERY_LENGTH}`;
  const terms = countSearchTerms(q);
  if (terms > MAX_SEARCH_TERMS) return `has ${terms} terms; a search takes at most ${MAX_SEARCH_TERMS}: leave out some words`;
  return null;
}

interface Slots {
  running: number;
  waiting: (() => void)[];
}
// On globalThis: the API route and the page are bundled apart but share the server's cores.
const SLOTS_KEY = Symbol.for('headwiki.searchSlots');
const slots = ((globalThis as Record<symbol, unknown>)[SLOTS_KEY] ??= { running: 0, waiting: [] }) as Slots;

/** Runs `search` when one of SEARCH_CONCURRENCY slots is free; a 503 ApiError when none frees within the wait. */
export async function withSearchSlot<T>(search: () => Promise<T>, opts: { concurrency?: number; waitMs?: number } = {}): Promise<T> {
  const concurrency = opts.concurrency ?? SEARCH_CONCURRENCY;
  if (slots.running >= concurrency) {
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = slots.waiting.indexOf(wake);
        if (i >= 0) slots.waiting.splice(i, 1);
        const retryAfterSeconds = Math.ceil((opts.waitMs ?? SEARCH_QUEUE_WAIT_MS) / 1000);
        reject(
          new ApiError(
            503,
            `search is busy (${slots.running} searches running, ${slots.waiting.length} waiting); retry in ${retryAfterSeconds} s`,
            { retryAfterSeconds },
          ),
        );
      }, opts.waitMs ?? SEARCH_QUEUE_WAIT_MS);
      slots.waiting.push(wake);
    });
  } else {
    slots.running++;
  }
  try {
    return await search();
  } finally {
    // Hand the slot straight to the next waiter (running stays the same), else free it.
    const next = slots.waiting.shift();
    if (next) next();
    else slots.running--;
  }
}
