/**
 * Next's request proxy (formerly "middleware"), limited to the API: answers CORS preflights, refuses what no
 * route handler should see (unknown paths → JSON 404, unsupported methods → JSON 405 with Allow, declared
 * bodies over the limit → 413; lib/api/request-guard.ts), and adds the CORS headers to every API response,
 * errors included (see lib/api/cors.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { CORS_HEADERS, preflightResponse } from './lib/api/cors';
import { refuseApiRequest } from './lib/api/request-guard';

export function proxy(request: NextRequest) {
  const refusal = refuseApiRequest(request.method, request.nextUrl.pathname, request.headers);
  if (refusal) {
    for (const [k, v] of Object.entries(CORS_HEADERS)) refusal.headers.set(k, v);
    return refusal;
  }
  if (request.method === 'OPTIONS') return preflightResponse();
  const response = NextResponse.next();
  for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
  return response;
}

export const config = { matcher: '/api/:path*' };
