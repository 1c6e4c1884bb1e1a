/**
 * Cursor pagination for every list endpoint.
 *
 * A cursor is opaque to clients: base64url of `{ s: scope, k: key }`, where `key` is the keyset
 * position after the last item of the page (e.g. `{ layer: 3, head: 7 }`) and `scope` names the
 * query it belongs to (e.g. `heads:induction:desc`), so a cursor pasted into another query is a
 * clear 400 instead of a silently wrong page.
 *
 * Usage in a route handler (keyset reads: fetch `limit + 1` items to know whether there is more):
 *
 *   import { parsePage, pageOf } from '@/lib/api/cursor';
 *   const keySchema = z.object({ layer: z.number().int(), head: z.number().int() });
 *   const page = parsePage(search, { key: keySchema, scope: 'heads', defaultLimit: 100, maxLimit: 1000 });
 *   const rows = await readRowsAfter(page.after, page.limit + 1);         // page.after: key | undefined
 *   const { items, page: info } = pageOf(request, rows, page, (r) => ({ layer: r.layer, head: r.head }));
 *   return sendJson(request, { heads: items, page: info }, { pinned });
 *
 * `info` is `{ limit, nextCursor, next }`: `next` is this URL with `cursor` replaced (a relative
 * URL, so it works behind any proxy), or null on the last page. Remember to allow `cursor` and
 * `limit` in `rejectUnknownParams`, and to add `pageParams` / `pageInfoSchema` to the endpoint's
 * OpenAPI entry (lib/api/openapi/).
 */
import { z } from 'zod';
import { badRequest } from './errors';

export const PAGE_PARAMS = ['cursor', 'limit'] as const;

export interface PageRequest<K> {
  limit: number;
  /** Keyset position to continue after; undefined for the first page. */
  after: K | undefined;
  scope: string;
}

export interface PageInfo {
  limit: number;
  nextCursor: string | null;
  /** Relative URL of the next page, or null on the last page. */
  next: string | null;
}

/** zod schema of the `page` object in responses (used by the OpenAPI document). */
export const pageInfoSchema = z
  .object({
    limit: z.number().int().describe('Items per page used for this response.'),
    nextCursor: z.string().nullable().describe('Opaque cursor of the next page; null on the last page.'),
    next: z.string().nullable().describe('Relative URL of the next page (this query with `cursor` set); null on the last page.'),
  })
  .describe('Cursor pagination: follow `next` until it is null.');

export function encodeCursor(scope: string, key: unknown): string {
  return Buffer.from(JSON.stringify({ s: scope, k: key }), 'utf8').toString('base64url');
}

const envelope = z.object({ s: z.string(), k: z.unknown() });

/** Decodes a cursor of this scope; a 400 ApiError when it is malformed or from another query. */
export function decodeCursor<K>(raw: string, scope: string, key: z.ZodType<K>): K {
  const bad = (why: string) => badRequest(`cursor: ${why}; use the \`next\` link of a previous page, or omit cursor for the first page`);
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(raw)) throw bad('is not a cursor this API issued');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('is not a cursor this API issued');
  }
  const env = envelope.safeParse(decoded);
  if (!env.success) throw bad('is not a cursor this API issued');
  if (env.data.s !== scope) throw bad('belongs to a different query (other sort, filter or endpoint)');
  const parsed = key.safeParse(env.data.k);
  if (!parsed.success) throw bad('is not a cursor this API issued');
  return parsed.data;
}

export interface PageOptions<K> {
  key: z.ZodType<K>;
  /** Names the query: endpoint plus everything that changes the order or the filter. */
  scope: string;
  defaultLimit?: number;
  maxLimit?: number;
}

/** Reads `limit` (1..maxLimit, default defaultLimit) and `cursor`; 400 when malformed. */
export function parsePage<K>(search: URLSearchParams, opts: PageOptions<K>): PageRequest<K> {
  const defaultLimit = opts.defaultLimit ?? 100;
  const maxLimit = opts.maxLimit ?? 1000;
  const rawLimit = search.get('limit');
  let limit = defaultLimit;
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^[1-9]\d{0,6}$/.test(rawLimit) || Number(rawLimit) > maxLimit) {
      throw badRequest(`limit: must be an integer from 1 to ${maxLimit} (got ${JSON.stringify(rawLimit)})`, { maxLimit });
    }
    limit = Number(rawLimit);
  }
  const rawCursor = search.get('cursor');
  const after = rawCursor ? decodeCursor(rawCursor, opts.scope, opts.key) : undefined;
  return { limit, after, scope: opts.scope };
}

/** The relative URL of `request` with `cursor` set (other parameters kept, in order). */
export function nextLink(request: Request, cursor: string): string {
  const url = new URL(request.url);
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/**
 * Cuts `rows` (read with `limit + 1`) to one page and describes the next one.
 */
export function pageOf<T, K>(
  request: Request,
  rows: readonly T[],
  page: PageRequest<K>,
  keyOf: (last: T) => K,
): { items: T[]; page: PageInfo } {
  const items = rows.slice(0, page.limit);
  if (rows.length <= page.limit || items.length === 0) return { items, page: { limit: page.limit, nextCursor: null, next: null } };
  const nextCursor = encodeCursor(page.scope, keyOf(items[items.length - 1]));
  return { items, page: { limit: page.limit, nextCursor, next: nextLink(request, nextCursor) } };
}

/**
 * For lists computed in memory (already sorted): the page after the cursor's position, found by
 * `index` (the position just after the item whose key the cursor holds). Small lists only.
 */
export function pageOfSorted<T, K>(
  request: Request,
  all: readonly T[],
  page: PageRequest<K>,
  keyOf: (item: T) => K,
): { items: T[]; page: PageInfo } {
  let start = 0;
  if (page.after !== undefined) {
    const target = JSON.stringify(page.after);
    const at = all.findIndex((item) => JSON.stringify(keyOf(item)) === target);
    if (at < 0) throw badRequest('cursor: points at an item that is not in this list; start again without cursor');
    start = at + 1;
  }
  return pageOf(request, all.slice(start, start + page.limit + 1), page, keyOf);
}
