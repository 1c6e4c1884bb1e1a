/**
 * Next's request proxy (formerly "middleware"), limited to the API: answers CORS preflights and
 * adds the CORS headers to every API response, errors included (see lib/api/cors.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { CORS_HEADERS, preflightResponse } from './lib/api/cors';

export function proxy(request: NextRequest) {
  if (request.method === 'OPTIONS') return preflightResponse();
  const response = NextResponse.next();
  for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
  return response;
}

export const config = { matcher: '/api/:path*' };
