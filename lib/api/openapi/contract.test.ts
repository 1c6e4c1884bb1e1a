// API contract tests generated from the OpenAPI document: for every documented endpoint, its route
// handler (found from the path) is called with the documented examples against a real embedded
// Postgres holding the fixtures; the 200 body must match the documented schema, the ETag must give
// a 304, and every documented error must happen with its documented status and the error shape.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestDatabase, type TestDatabase } from '../../../scripts/db/test-database';
import { closePrisma } from '../../db/client';
import { resetRateLimits } from '../rate-limit';
import { seedContractFixtures } from './contract-fixtures';
import { buildOpenApiDocument } from './index';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROOT = path.resolve(__dirname, '../../..');
const doc = buildOpenApiDocument() as Json;
const operations = Object.entries(doc.paths as Record<string, Json>).map(([p, item]) => ({ path: p, op: item.get as Json }));

function routeFile(apiPath: string): string {
  return path.join(ROOT, 'app', apiPath.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
}

async function handlerFor(apiPath: string): Promise<Handler> {
  const mod = await import(/* @vite-ignore */ routeFile(apiPath));
  expect(typeof mod.GET, `${apiPath}: route.ts exports GET`).toBe('function');
  return mod.GET as Handler;
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

async function call(apiPath: string, op: Json, over: { path?: Record<string, string>; query?: Record<string, string> } = {}, headers: Record<string, string> = {}) {
  const params = { ...exampleValues(op, 'path'), ...(over.path ?? {}) };
  const query = { ...exampleValues(op, 'query'), ...(over.query ?? {}) };
  const url = new URL(`http://headwiki.test${apiPath.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n]))}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const handler = await handlerFor(apiPath);
  return handler(new Request(url, { headers }), { params: Promise.resolve(params) });
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
    expect(routes.filter((r) => !documented.has(r)), 'routes missing from lib/api/openapi').toEqual([]);
  });
});

describe.each(operations)('GET $path', ({ path: apiPath, op }) => {
  it('answers the documented example with a 200 matching the documented schema', async () => {
    resetRateLimits();
    const res = await call(apiPath, op);
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
    const first = await call(apiPath, op);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    await first.body?.cancel();
    const again = await call(apiPath, op, {}, { 'If-None-Match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  type DocumentedError = { status: number; when: string; trigger: { path?: Record<string, string>; query?: Record<string, string>; repeat?: number }; label: string };
  const errors: DocumentedError[] = (op['x-headwiki-errors'] as Json[]).map((e) => ({ status: e.status, when: e.when, trigger: e.trigger, label: `${e.status} when ${e.when}` }));
  it.each(errors)('answers $label', async (err) => {
    resetRateLimits();
    expect(op.responses[String(err.status)], `status ${err.status} is in responses`).toBeDefined();
    let res: Response | undefined;
    for (let i = 0; i < (err.trigger.repeat ?? 1); i++) {
      res = await call(apiPath, op, err.trigger);
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
