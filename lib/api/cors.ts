/**
 * CORS for the read-only API: any origin may read (notebooks, Observable, other sites), so every
 * `/api/*` response carries `Access-Control-Allow-Origin: *` and preflight `OPTIONS` requests are
 * answered 204 by the project's `proxy.ts` (Next's request proxy), for every endpoint at once,
 * including endpoints added later. No credentials are ever involved. POST is allowed for the live
 * endpoints (custom text in a JSON body: a read that changes nothing, rate-limited per client).
 */

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'If-None-Match, Content-Type, Accept',
  // Scripts in other origins may read these (revalidation, pagination, rate limits, file names).
  'Access-Control-Expose-Headers': 'ETag, Link, Retry-After, Content-Disposition',
  'Access-Control-Max-Age': '86400',
};

/** The answer to a CORS preflight (`OPTIONS`). */
export function preflightResponse(): Response {
  return new Response(null, { status: 204, headers: { ...CORS_HEADERS, Allow: 'GET, HEAD, POST, OPTIONS' } });
}
