/**
 * The API's endpoint list — the ONE place that says which endpoints exist — and the OpenAPI 3.1
 * document built from it (served at /api/v1/openapi.json, rendered at /docs/api, and the source
 * of the generated contract tests in contract.test.ts).
 *
 * HOW TO DOCUMENT A NEW ENDPOINT
 *  1. In the file of its resource (models.ts, heads.ts, neurons.ts, live.ts, runs.ts, search.ts, ... or a new
 *     `<resource>.ts` beside them), add an `EndpointDoc` (types.ts) to the exported array:
 *     path (parameter names = the route's folder names), summary, description, path/query
 *     parameters with the zod schemas the handler uses and an `example` for each path parameter,
 *     the zod schema of the JSON response, `caching`, `paginated`, and EVERY error the handler can
 *     answer, each with a `trigger` (a request that provokes it). Reuse common.ts. A route that also
 *     exports POST gets a second entry with `method: 'POST'` and its `body`; statuses no request can
 *     provoke on demand (a full live queue) go in `serverStates`.
 *  2. A new resource file: add its array to ENDPOINTS below.
 *  3. If the contract tests need data your endpoint reads (neurons, examples), seed it for the
 *     example run in contract-fixtures.ts.
 * The contract test fails when an endpoint's route file is missing, when a response does not match
 * its documented schema, or when a documented error does not happen.
 */
import { z } from 'zod';
import { circuitEndpoints } from './circuits';
import { compositionEndpoints } from './composition';
import { diffEndpoints } from './diffs';
import { headEndpoints } from './heads';
import { exampleEndpoints } from './examples';
import { labelEndpoints } from './labels';
import { liveEndpoints } from './live';
import { metricEndpoints } from './metrics';
import { modelEndpoints } from './models';
import { neuronEndpoints } from './neurons';
import { runEndpoints } from './runs';
import { errorSchema } from './schemas';
import { searchEndpoints } from './search';
import type { EndpointDoc, ParamDoc } from './types';

const openApiEndpoint: EndpointDoc = {
  operationId: 'getOpenApi',
  path: '/api/v1/openapi.json',
  tag: 'Meta',
  summary: 'This document',
  description: 'The OpenAPI 3.1 description of every endpoint, parameter, response and error.',
  response: z.object({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }).loose(),
  caching: 'latest',
  errors: [{ status: 400, when: 'An unknown query parameter is given.', trigger: { query: { sotr: 'x' } } }],
};

export const ENDPOINTS: readonly EndpointDoc[] = [
  ...modelEndpoints,
  ...headEndpoints,
  ...exampleEndpoints,
  ...compositionEndpoints,
  ...labelEndpoints,
  ...neuronEndpoints,
  ...liveEndpoints,
  ...metricEndpoints,
  ...runEndpoints,
  ...searchEndpoints,
  ...diffEndpoints,
  ...circuitEndpoints,
  openApiEndpoint,
];

export type { BodyDoc, EndpointDoc, ErrorDoc, ParamDoc, ServerStateDoc } from './types';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameter(name: string, where: 'path' | 'query', p: ParamDoc): JsonSchema {
  return {
    name,
    in: where,
    required: where === 'path' ? true : (p.required ?? false),
    description: p.description,
    schema: jsonSchema(p.schema, 'input'),
    ...(p.example !== undefined ? { example: p.example } : {}),
  };
}

const REASONS: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  422: 'Unprocessable',
  429: 'Too many requests',
  503: 'Unavailable',
  504: 'Timed out',
};

function operation(e: EndpointDoc): JsonSchema {
  const content: JsonSchema = { 'application/json': { schema: jsonSchema(e.response, 'output') } };
  for (const alt of e.alternates ?? []) content[alt.contentType] = { schema: { type: 'string', description: alt.description } };
  if (e.alternates?.length && e.response instanceof z.ZodString) delete content['application/json'];
  const headers: JsonSchema = {};
  if (e.caching !== 'none') {
    headers.ETag = { description: 'Strong validator; send it back in If-None-Match to get a 304.', schema: { type: 'string' } };
    headers['Cache-Control'] = {
      description:
        e.caching === 'run'
          ? 'A year (immutable) when the response is pinned to a run (`?run=` or a run id in the path); a minute otherwise.'
          : 'A minute.',
      schema: { type: 'string' },
    };
  }
  const responses: JsonSchema = { 200: { description: 'OK', headers, content } };
  if (e.caching !== 'none') responses[304] = { description: 'Not modified (If-None-Match matched the ETag).' };
  const byStatus = new Map<number, string[]>();
  for (const err of e.errors) byStatus.set(err.status, [...(byStatus.get(err.status) ?? []), err.when]);
  for (const st of e.serverStates ?? []) byStatus.set(st.status, [...(byStatus.get(st.status) ?? []), st.when]);
  for (const [status, whens] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[status] = {
      description: `${REASONS[status] ?? 'Error'}: ${whens.join(' / ')}`,
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: e.operationId,
    tags: [e.tag],
    summary: e.summary,
    description: e.description,
    parameters: [
      ...Object.entries(e.pathParams ?? {}).map(([n, p]) => parameter(n, 'path', p)),
      ...Object.entries(e.query ?? {}).map(([n, p]) => parameter(n, 'query', p)),
    ],
    ...(e.body
      ? {
          requestBody: {
            required: true,
            description: e.body.description,
            content: { 'application/json': { schema: jsonSchema(e.body.schema, 'input'), example: e.body.example } },
          },
        }
      : {}),
    responses,
    'x-headwiki-caching': e.caching,
    'x-headwiki-paginated': e.paginated ?? false,
    'x-headwiki-errors': e.errors.map((err) => ({ status: err.status, when: err.when, trigger: err.trigger })),
  };
}

/** `get` or `post`: the key of the operation in its OpenAPI path item. */
export function endpointMethod(e: EndpointDoc): 'get' | 'post' {
  return (e.method ?? 'GET') === 'POST' ? 'post' : 'get';
}

/** The OpenAPI 3.1 document. `origin` (e.g. `https://headwiki.example`) becomes the server URL. */
export function buildOpenApiDocument(origin?: string): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  const ids = new Set<string>();
  for (const e of ENDPOINTS) {
    if (ids.has(e.operationId)) throw new Error(`openapi: operationId "${e.operationId}" is used twice`);
    ids.add(e.operationId);
    const method = endpointMethod(e);
    if (paths[e.path]?.[method]) throw new Error(`openapi: ${method.toUpperCase()} ${e.path} is documented twice`);
    if (method === 'post' && !e.body) throw new Error(`openapi: POST ${e.path} needs a body`);
    paths[e.path] = { ...(paths[e.path] ?? {}), [method]: operation(e) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'headwiki API',
      version: '1',
      description:
        'Read-only API of headwiki: models, runs, per-head metrics, neurons, search and bulk export. Reads are GET; the live ' +
        'endpoints (your own text through a model) also take POST with a JSON body and are rate-limited per client. A model name alone follows its latest ' +
        'published run; a run id (`?run=` or `/runs/{runId}`) pins a response forever. Errors are JSON `{ "error": { "message", "status" } }`, ' +
        'on every path: an unknown path is a 404, a method an endpoint does not take a 405 with `Allow`, a body over 1 MB a 413, headers ' +
        'over 16 KB a 431; 429 and 503 carry `Retry-After`. ' +
        'Lists are paginated with opaque cursors (`page.next`). CORS is open to every origin.',
      license: { name: 'MIT' },
    },
    ...(origin ? { servers: [{ url: origin }] } : {}),
    tags: [...new Set(ENDPOINTS.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: { schemas: { Error: jsonSchema(errorSchema, 'output') } },
  };
}
