/**
 * Which cached page a request is for. Next caches a page route (ISR) by its path alone, and a page that reads its
 * query string is rendered on every request; so the page routes read no query, and proxy.ts rewrites a request
 * whose query string changes the page to a twin route that carries the query in its path:
 *   /models/m?sort=induction&dir=desc  →  /with-query/<base64url of "dir=desc&sort=induction">/models/m   (cached)
 *   /models/m/heads/1.3?text=…         →  /live-query/models/m/heads/1.3?text=…                           (live, never cached)
 * The query is normalised first (only the parameters the page reads, first value each, sorted, whitespace folded),
 * so `?a=1&sort=x` and `?sort=x` share one cache entry and unknown parameters never create new ones.
 */

export type PageView =
  | { kind: 'model'; model: string; runId?: string }
  | { kind: 'head'; model: string; runId?: string; head: string }
  | { kind: 'layer'; model: string; runId?: string; layer: string }
  | { kind: 'neuron'; model: string; runId?: string; layer: string; neuron: string }
  | { kind: 'composition'; model: string; runId?: string }
  | { kind: 'search' }
  | { kind: 'circuits'; model: string; runId?: string }
  | { kind: 'circuit'; model: string; runId?: string; task: string };

export type PageQuery = Record<string, string>;

/** Parameters each page reads (the rest of a query string is ignored, as the pages always did). */
const CACHED_KEYS: Record<PageView['kind'], string[]> = {
  model: ['dir', 'layer', 'min', 'page', 'sort'],
  head: ['embed'],
  layer: ['dir', 'page', 'site', 'sort'],
  neuron: ['embed', 'site'],
  composition: ['dst', 'src'],
  search: ['page', 'q'],
  circuits: [],
  circuit: [],
};
/** Parameters that run the model live (rate-limited, per visitor): those pages are never cached. */
const LIVE_KEYS: Partial<Record<PageView['kind'], string[]>> = { head: ['text'], neuron: ['probe'] };

export const CACHED_QUERY_PREFIX = '/with-query';
export const LIVE_QUERY_PREFIX = '/live-query';

const SEG = '([^/]+)';
const VIEW_PATTERNS: [RegExp, (m: string[], runId?: string) => PageView][] = [
  [new RegExp(`^${SEG}$`), ([model], runId) => ({ kind: 'model', model, runId })],
  [new RegExp(`^${SEG}/heads/${SEG}$`), ([model, head], runId) => ({ kind: 'head', model, runId, head })],
  [new RegExp(`^${SEG}/layers/${SEG}$`), ([model, layer], runId) => ({ kind: 'layer', model, runId, layer })],
  [new RegExp(`^${SEG}/neurons/${SEG}/${SEG}$`), ([model, layer, neuron], runId) => ({ kind: 'neuron', model, runId, layer, neuron })],
  [new RegExp(`^${SEG}/composition$`), ([model], runId) => ({ kind: 'composition', model, runId })],
  [new RegExp(`^${SEG}/circuits$`), ([model], runId) => ({ kind: 'circuits', model, runId })],
  [new RegExp(`^${SEG}/circuits/${SEG}$`), ([model, task], runId) => ({ kind: 'circuit', model, runId, task })],
];

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The page a path shows (`/models/m/heads/1.3`, `/runs/r/models/m`, `/search`), or null for any other path. */
export function parseViewPath(pathname: string): PageView | null {
  if (pathname === '/search') return { kind: 'search' };
  const m = /^\/(?:runs\/([^/]+)\/)?models\/(.+)$/.exec(pathname);
  if (!m) return null;
  const runId = m[1] === undefined ? undefined : decode(m[1]);
  if (runId === null) return null;
  for (const [re, make] of VIEW_PATTERNS) {
    const parts = re.exec(m[2]);
    if (!parts) continue;
    const decoded = parts.slice(1).map(decode);
    if (decoded.some((d) => d === null)) return null;
    return make(decoded as string[], runId);
  }
  return null;
}

/** The parameters of `search` that `view` reads, first value each, trimmed, in key order. */
export function normalizeQuery(view: PageView, search: URLSearchParams): PageQuery {
  const out: PageQuery = {};
  for (const key of CACHED_KEYS[view.kind]) {
    const raw = search.get(key);
    if (raw === null) continue;
    const v = key === 'q' ? raw.replace(/\s+/g, ' ').trim() : raw.trim();
    if (v !== '') out[key] = v;
  }
  return out;
}

export function encodeQuerySegment(query: PageQuery): string {
  return Buffer.from(new URLSearchParams(query).toString(), 'utf8').toString('base64url');
}

/** The twin route's `[query]` segment back to parameters; anything malformed reads as no parameters. */
export function decodeQuerySegment(segment: string): PageQuery {
  if (!/^[A-Za-z0-9_-]{0,2000}$/.test(segment)) return {};
  return Object.fromEntries(new URLSearchParams(Buffer.from(segment, 'base64url').toString('utf8')));
}

/**
 * Where proxy.ts sends a page request with a query string: the cached twin, the live twin, or the bare (cached)
 * page when no parameter the page reads is present; null when the path is not a cached page (left alone).
 */
export function queryRewrite(pathname: string, search: string): string | null {
  if (!search || search === '?') return null;
  const view = parseViewPath(pathname);
  if (!view) return null;
  const params = new URLSearchParams(search);
  params.delete('_rsc'); // the client router's cache buster: not a parameter of the page (proxy.ts passes it on)
  if (params.size === 0) return null;
  if ((LIVE_KEYS[view.kind] ?? []).some((k) => (params.get(k) ?? '') !== '')) return `${LIVE_QUERY_PREFIX}${pathname}${search}`;
  const query = normalizeQuery(view, params);
  if (Object.keys(query).length === 0) return pathname;
  return `${CACHED_QUERY_PREFIX}/${encodeQuerySegment(query)}${pathname}`;
}
