/**
 * Successful API responses. Published runs never change, so a response pinned to a run id
 * (`?run=`) is cacheable for a year; "latest" responses for a minute. Every body carries a strong
 * ETag (its hash) so clients can revalidate with If-None-Match.
 */
import { createHash } from 'node:crypto';

export interface RespondOptions {
  /** True when the URL names the run, so the body can never change. */
  pinned: boolean;
  /** For CSV: the download's suggested file name. */
  filename?: string;
  /** Extra headers, e.g. `Link: <next>; rel="next"` on a paginated CSV. */
  headers?: Record<string, string>;
}

/**
 * Marks a response whose body can change only when a run is published (every response sent here: published runs'
 * data and lists of them), so npm start's front cache may keep it until then (lib/serve-cache/front-cache.mjs).
 */
export const CACHEABLE_UNTIL_PUBLISH_HEADER = 'X-Headwiki-Cacheable';

function cacheHeaders(body: string, pinned: boolean): Record<string, string> {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return {
    ETag: etag,
    'Cache-Control': cacheControl(pinned),
    [CACHEABLE_UNTIL_PUBLISH_HEADER]: 'until-publish',
    // Notebooks and Observable pages fetch this API from other origins.
    'Access-Control-Allow-Origin': '*',
  };
}

/** Cache-Control for a response whose body can (latest) or cannot (pinned run) change. */
export function cacheControl(pinned: boolean): string {
  return pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=60, stale-while-revalidate=600';
}

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`, since
 * caches may weaken a tag after re-encoding the body.
 */
export function notModified(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

function send(request: Request, body: string, contentType: string, opts: RespondOptions): Response {
  const headers: Record<string, string> = { ...cacheHeaders(body, opts.pinned), 'Content-Type': contentType };
  if (opts.headers) Object.assign(headers, opts.headers);
  if (opts.filename) headers['Content-Disposition'] = `inline; filename="${opts.filename.replace(/[^\w.-]/g, '_')}"`;
  if (notModified(request, headers.ETag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers });
}

export function sendJson(request: Request, data: unknown, opts: RespondOptions): Response {
  return send(request, JSON.stringify(data), 'application/json; charset=utf-8', opts);
}

export function sendCsv(request: Request, csv: string, opts: RespondOptions): Response {
  return send(request, csv, 'text/csv; charset=utf-8', opts);
}
