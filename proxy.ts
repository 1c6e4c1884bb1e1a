/**
 * Next's request proxy (formerly "middleware"):
 * - the API: answers CORS preflights and adds the CORS headers to every API response, errors included (lib/api/cors.ts);
 * - pages with a query string: rewritten to their cached or live twin route (lib/serve-cache/page-query.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { CORS_HEADERS, preflightResponse } from './lib/api/cors';
import { CACHED_QUERY_PREFIX, LIVE_QUERY_PREFIX, queryRewrite } from './lib/serve-cache/page-query';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    if (request.method === 'OPTIONS') return preflightResponse();
    const response = NextResponse.next();
    for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
    return response;
  }
  // The twins are internal: reachable only through the rewrite below.
  if (pathname.startsWith(`${CACHED_QUERY_PREFIX}/`) || pathname.startsWith(`${LIVE_QUERY_PREFIX}/`)) {
    return NextResponse.rewrite(new URL('/not-found-internal', request.url), { status: 404 });
  }
  const target = queryRewrite(pathname, search);
  if (target === null) return NextResponse.next();
  return NextResponse.rewrite(new URL(target, request.url));
}

export const config = { matcher: ['/api/:path*', '/models/:path*', '/runs/:path*', '/search', '/with-query/:path*', '/live-query/:path*'] };
