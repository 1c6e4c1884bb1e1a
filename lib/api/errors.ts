/**
 * JSON errors for the API: `{ "error": { "message": ..., "status": ... } }`.
 * Bad input is always a 4xx with a message naming what was wrong; a 500 means a bug or a
 * database outage, never a visitor's typo.
 */
import { ZodError } from 'zod';

export interface ApiErrorBody {
  error: { message: string; status: number; [extra: string]: unknown };
}

/** Thrown anywhere inside a handler wrapped by `withApiErrors`; becomes a JSON error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra machine-readable fields, e.g. `{ validMetrics: [...] }`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`ApiError status must be an HTTP error code 400..599, got ${status}`);
    }
  }
}

export function badRequest(message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError(400, message, details);
}

export function notFoundError(message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError(404, message, details);
}

export function errorBody(status: number, message: string, details: Record<string, unknown> = {}): ApiErrorBody {
  return { error: { ...details, message, status } };
}

export function jsonError(status: number, message: string, details: Record<string, unknown> = {}): Response {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  // A 429 or 503 says when to come back (`details.retryAfterSeconds`, also in the body).
  if (typeof details.retryAfterSeconds === 'number') headers['Retry-After'] = String(Math.max(1, Math.ceil(details.retryAfterSeconds)));
  return Response.json(errorBody(status, message, details), { status, headers });
}

/** Seconds a client is told to wait when the database cancelled a statement over the server's time limit. */
const STATEMENT_TIMEOUT_RETRY_S = 10;

/**
 * Postgres cancelled the statement (SQLSTATE 57014: the web server's statement_timeout, see lib/db/client.ts):
 * the request asked for more work than the server gives one request, not a bug.
 */
export function isStatementTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; originalCode?: unknown; message?: unknown; meta?: { code?: unknown } };
    if (o.code === '57014' || o.originalCode === '57014' || o.meta?.code === '57014') return true;
    if (typeof o.message === 'string' && /canceling statement due to statement timeout/.test(o.message)) return true;
  }
  return false;
}

/** One line per zod issue, naming the parameter: `layer: must be a non-negative integer`. */
export function describeZodError(err: ZodError, subject = 'parameter'): string {
  return err.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : subject;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Turns anything thrown into a Response: ApiError/ZodError → 4xx, a statement over the time limit → 503, the rest → 500 (logged). */
export function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) return jsonError(err.status, err.message, err.details);
  if (err instanceof ZodError) return jsonError(400, describeZodError(err));
  if (isStatementTimeout(err)) {
    return jsonError(503, 'this request took the database longer than the server allows one request; narrow it, or retry later', {
      retryAfterSeconds: STATEMENT_TIMEOUT_RETRY_S,
    });
  }
  console.error('[api] unexpected error', err);
  return jsonError(500, 'internal error: the server could not answer this request; it has been logged');
}

/** Wrap a route handler so that every failure comes back as a JSON error. */
export function withApiErrors<A extends unknown[]>(handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
