/**
 * Next's request proxy (formerly "middleware"):
 * - the API: answers CORS preflights and adds the CORS headers to every API response, errors included (lib/api/cors.ts);
 * - pages with a query string: rewritten to their cached or live twin route (lib/serve-cache/page-query.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { CORS_HEADERS, preflightResponse } from './lib/api/cors';
import { queryRewrite } from './lib/serve-cache/page-query';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    if (request.method === 'OPTIONS') return preflightResponse();
    const response = NextResponse.next();
    for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
    return response;
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
