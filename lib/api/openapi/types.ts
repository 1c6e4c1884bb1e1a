/** The shape of one documented endpoint; see index.ts for how to add one. */
import type { z } from 'zod';

export interface ParamDoc {
  /** zod schema of the raw string (the same schema the handler parses with, where it has one). */
  schema: z.ZodType;
  description: string;
  /** Value used in the documentation and by the generated contract tests (required for path parameters). */
  example?: string;
  required?: boolean;
}

export interface ErrorDoc {
  status: 400 | 404 | 409 | 413 | 422 | 429;
  /** When the error happens, in one sentence for the reader. */
  when: string;
  /**
   * A request that triggers it (overrides of the endpoint's example path/query values), so the
   * contract tests can prove every documented error. `repeat`: send it up to this many times until
   * the status appears (rate limits). A query value of null leaves out that (required) parameter.
   * `body` (POST only) replaces the example body: an object is sent as JSON, a string as it is (malformed JSON).
   */
  trigger: {
    path?: Record<string, string>;
    query?: Record<string, string | null>;
    body?: Record<string, unknown> | string;
    repeat?: number;
  };
}

/**
 * A status that depends on the server's state, not on the request (a full live-inference queue, a
 * run over its time limit): documented in openapi.json, but no request can provoke it on demand,
 * so the contract tests do not; lib/live's own tests cover them.
 */
export interface ServerStateDoc {
  status: 503 | 504;
  when: string;
}

export interface BodyDoc {
  /** zod schema of the JSON body (the one the handler parses with). */
  schema: z.ZodType;
  description: string;
  /** A body that succeeds; the contract tests send it. */
  example: Record<string, unknown>;
}

export interface AlternateDoc {
  contentType: string;
  description: string;
  /** Query parameters that select this representation, e.g. `{ format: 'csv' }`. */
  query: Record<string, string>;
}

export interface EndpointDoc {
  /** Unique camelCase id (OpenAPI operationId). */
  operationId: string;
  /**
   * HTTP method (default GET). Reads are GET; POST is only for live inference whose input (a text)
   * fits better in a JSON body. The route file must export a handler of this name.
   */
  method?: 'GET' | 'POST';
  /**
   * OpenAPI path, e.g. `/api/v1/models/{model}/heads`. Parameter names must equal the route's
   * folder names (`app/api/v1/models/[model]/heads/route.ts`): the contract test finds the handler that way.
   */
  path: string;
  /** Groups endpoints on the API page: 'Models', 'Heads', 'Runs', ... */
  tag: string;
  summary: string;
  description: string;
  pathParams?: Record<string, ParamDoc>;
  query?: Record<string, ParamDoc>;
  /** POST: the JSON request body. */
  body?: BodyDoc;
  /** JSON body of a 200 (the default representation). */
  response: z.ZodType;
  /** Other 200 representations (CSV, JSONL) chosen by query parameters or the path. */
  alternates?: AlternateDoc[];
  /**
   * 'run': published-run data: strong ETag; pinned responses (`?run=` or a run id in the path)
   * are cacheable for a year, others for a minute. 'latest': ETag, short cache. 'none': no caching.
   */
  caching: 'run' | 'latest' | 'none';
  /** True when the response has a `page` object and the endpoint takes `cursor` and `limit`. */
  paginated?: boolean;
  errors: ErrorDoc[];
  /** Statuses caused by the server's state (busy, timeout), documented but not provoked by the contract tests. */
  serverStates?: ServerStateDoc[];
}
