/**
 * Next's request proxy (formerly "middleware"):
 * - the API: refuses what no route handler should see (unknown paths → JSON 404, unsupported methods → JSON 405 with
 *   Allow, declared bodies over the limit → 413; lib/api/request-guard.ts), answers CORS preflights and adds the CORS
 *   headers to every API response, errors included (lib/api/cors.ts);
 * - `/search?q=`: the per-client search budget (the page itself is cached per query, so the budget is counted here,
 *   where the client is known; the front cache answers repeated queries before this runs);
 * - pages with a query string: rewritten to their cached or live twin route (lib/serve-cache/page-query.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { CORS_HEADERS, preflightResponse } from './lib/api/cors';
import { refuseApiRequest } from './lib/api/request-guard';
import { rateLimit } from './lib/api/rate-limit';
import { SEARCH_PER_MINUTE } from './lib/search/query-guard';
import { queryRewrite } from './lib/serve-cache/page-query';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    const refusal = refuseApiRequest(request.method, pathname, request.headers);
    if (refusal) {
      for (const [k, v] of Object.entries(CORS_HEADERS)) refusal.headers.set(k, v);
      return refusal;
    }
    if (request.method === 'OPTIONS') return preflightResponse();
    const response = NextResponse.next();
    for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
    return response;
  }
  if (pathname === '/search' && (request.nextUrl.searchParams.get('q') ?? '').trim() !== '') {
    const limited = rateLimit(request, { bucket: 'search', perMinute: SEARCH_PER_MINUTE });
    if (limited) {
      const retry = limited.headers.get('Retry-After') ?? '60';
      return new NextResponse(`Too many searches from your address: try again in ${retry} s.\n`, {
        status: 429,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': retry, 'Cache-Control': 'no-store' },
      });
    }
  }
  const target = queryRewrite(pathname, search);
  if (target === null) return NextResponse.next();
  const url = new URL(target, request.url);
  // The client router's cache-busting parameter must reach Next with its flight request.
  const rsc = request.nextUrl.searchParams.get('_rsc');
  if (rsc !== null) url.searchParams.set('_rsc', rsc);
  return NextResponse.rewrite(url);
}

// Next runs the proxy again on a rewritten path; the twins' paths are not matched, so that pass is skipped.
export const config = { matcher: ['/api/:path*', '/models/:path*', '/runs/:path*', '/search'] };
