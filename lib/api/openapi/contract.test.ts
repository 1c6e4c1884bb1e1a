// API contract tests generated from the OpenAPI document: for every documented endpoint, its route
// handler (found from the path) is called with the documented examples against a real embedded
// Postgres holding the fixtures; the 200 body must match the documented schema, the ETag must give
// a 304, and every documented error must happen with its documented status and the error shape.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestDatabase, type TestDatabase } from '../../postgres/test-database';
import { closePrisma } from '../../db/client';
import { resetRateLimits } from '../rate-limit';
import { seedContractFixtures } from './contract-fixtures';
import { EXAMPLE } from './common';
import { buildOpenApiDocument } from './index';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROOT = path.resolve(__dirname, '../../..');
const doc = buildOpenApiDocument() as Json;
const METHODS = ['get', 'post'] as const;
type Method = (typeof METHODS)[number];
const operations = Object.entries(doc.paths as Record<string, Json>).flatMap(([p, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ path: p, method: m, label: `${m.toUpperCase()} ${p}`, op: item[m] as Json })),
);

function routeFile(apiPath: string): string {
  return path.join(ROOT, 'app', apiPath.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
}

async function handlerFor(apiPath: string, method: Method): Promise<Handler> {
  const mod = await import(/* @vite-ignore */ routeFile(apiPath));
  const name = method.toUpperCase();
  expect(typeof mod[name], `${apiPath}: route.ts exports ${name}`).toBe('function');
  return mod[name] as Handler;
}

function exampleValues(op: Json, where: 'path' | 'query'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of op.parameters as Json[]) {
    if (p.in !== where) continue;
    if (where === 'path' || p.required) {
      expect(p.example, `${op.operationId}: parameter ${p.name} needs an example`).toBeTypeOf('string');
      out[p.name] = p.example;
    }
  }
  return out;
}

type Trigger = { path?: Record<string, string>; query?: Record<string, string | null>; body?: Json | string; repeat?: number };

/** Calls the route handler with the documented examples, overridden by `over` (a query value of null leaves it out). */
async function call(apiPath: string, method: Method, op: Json, over: Trigger = {}, headers: Record<string, string> = {}) {
  const params = { ...exampleValues(op, 'path'), ...(over.path ?? {}) };
  const query: Record<string, string | null> = { ...exampleValues(op, 'query'), ...(over.query ?? {}) };
  const url = new URL(`http://headwiki.test${apiPath.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n]))}`);
  for (const [k, v] of Object.entries(query)) if (v !== null) url.searchParams.set(k, v);
  const handler = await handlerFor(apiPath, method);
  let init: RequestInit = { headers };
  if (method === 'post') {
    const example = op.requestBody?.content?.['application/json']?.example;
    expect(example, `${op.operationId}: a POST documents an example body`).toBeDefined();
    const body = over.body ?? example;
    init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    };
  }
  return handler(new Request(url, init), { params: Promise.resolve(params) });
}

const errorSchema = z.fromJSONSchema(doc.components.schemas.Error);

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await seedContractFixtures();
});
afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with unique operation ids and a route file for every path', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path: p } of operations) expect(fs.existsSync(routeFile(p)), `${p} → ${routeFile(p)}`).toBe(true);
  });

  it('documents every API route in app/api/v1', () => {
    const routes: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name === 'route.ts') routes.push('/' + path.relative(path.join(ROOT, 'app'), dir).replace(/\[(\w+)\]/g, '{$1}'));
      }
    };
    walk(path.join(ROOT, 'app/api/v1'));
    const documented = new Set(operations.map((o) => o.path));
    expect(
      routes.filter((r) => !documented.has(r)),
      'routes missing from lib/api/openapi',
    ).toEqual([]);
  });

  it('documents every method each route exports', async () => {
    const missing: string[] = [];
    for (const apiPath of new Set(operations.map((o) => o.path))) {
      const mod = await import(/* @vite-ignore */ routeFile(apiPath));
      for (const name of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (typeof mod[name] === 'function' && !operations.some((o) => o.path === apiPath && o.method === name.toLowerCase()))
          missing.push(`${name} ${apiPath}`);
      }
    }
    expect(missing, 'handlers without an OpenAPI entry').toEqual([]);
  });

  it('gives every path parameter an example and every endpoint at least one documented error', () => {
    for (const { op } of operations) {
      for (const p of op.parameters as Json[]) if (p.in === 'path') expect(p.example, `${op.operationId}: ${p.name}`).toBeTypeOf('string');
      expect((op['x-headwiki-errors'] as Json[]).length, op.operationId).toBeGreaterThan(0);
    }
  });

  it('marks every list endpoint paginated, with limit and cursor', () => {
    for (const { op } of operations) {
      const names = (op.parameters as Json[]).map((p) => p.name);
      const body = op.responses['200'].content['application/json']?.schema as Json | undefined;
      const hasPage = Boolean(body?.properties?.page);
      expect(op['x-headwiki-paginated'], `${op.operationId}: page in the response ⇔ paginated`).toBe(hasPage);
      if (hasPage) expect(names, op.operationId).toEqual(expect.arrayContaining(['limit', 'cursor']));
    }
  });
});

describe.each(operations)('$label', ({ path: apiPath, method, op }) => {
  it('answers the documented example with a 200 matching the documented schema', async () => {
    resetRateLimits();
    const res = await call(apiPath, method, op);
    expect(res.status, await res.clone().text()).toBe(200);
    const type = res.headers.get('content-type') ?? '';
    const content = op.responses['200'].content as Json;
    const documentedType = Object.keys(content).find((t) => type.startsWith(t));
    expect(documentedType, `content-type ${type} is documented`).toBeDefined();
    if (documentedType === 'application/json') {
      const body = await res.json();
      const parsed = z.fromJSONSchema(content['application/json'].schema).safeParse(body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues?.slice(0, 3))).toBe(true);
    } else {
      expect((await res.text()).length).toBeGreaterThan(0);
    }
  });

  it('gives a strong ETag and answers If-None-Match with 304 where documented', async () => {
    if (!op.responses['304']) return;
    resetRateLimits();
    const first = await call(apiPath, method, op);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    await first.body?.cancel();
    const again = await call(apiPath, method, op, {}, { 'If-None-Match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('caches as documented: a year when pinned to a run, never for live data; CORS open', async () => {
    resetRateLimits();
    const caching = op['x-headwiki-caching'] as 'run' | 'latest' | 'none';
    const takesRun = (op.parameters as Json[]).some((p) => p.name === 'run' && p.in === 'query');
    // Published runs, diffs and series never change: a path naming one is pinned.
    const pinnedByPath = /\{(runId|diffId|seriesId)\}/.test(apiPath) || apiPath === '/api/v1/compare';
    const res = await call(apiPath, method, op, takesRun ? { query: { run: EXAMPLE.runId } } : {});
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const cc = res.headers.get('cache-control') ?? '';
    if (caching === 'none') expect(cc).toBe('no-store');
    else if (caching === 'run' && (takesRun || pinnedByPath)) expect(cc).toBe('public, max-age=31536000, immutable');
    else expect(cc).toMatch(/^public, max-age=60\b/);
    await res.body?.cancel();
  });

  type DocumentedError = { status: number; when: string; trigger: Trigger; label: string };
  const errors: DocumentedError[] = (op['x-headwiki-errors'] as Json[]).map((e) => ({
    status: e.status,
    when: e.when,
    trigger: e.trigger,
    label: `${e.status} when ${e.when}`,
  }));
  it.each(errors)('answers $label', async (err) => {
    // A 429's trigger spends the budget: with the clock stopped no token comes back while a slow machine runs it.
    const stopped = Date.now();
    resetRateLimits(err.status === 429 ? () => stopped : undefined);
    expect(op.responses[String(err.status)], `status ${err.status} is in responses`).toBeDefined();
    let res: Response | undefined;
    for (let i = 0; i < (err.trigger.repeat ?? 1); i++) {
      res = await call(apiPath, method, op, err.trigger);
      if (res.status === err.status) break;
      await res.body?.cancel();
    }
    expect(res!.status, await res!.clone().text()).toBe(err.status);
    const body = await res!.json();
    expect(errorSchema.safeParse(body).success).toBe(true);
    expect(body.error.status).toBe(err.status);
    expect(body.error.message.length).toBeGreaterThan(10);
    if (err.status === 429) expect(Number(res!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
