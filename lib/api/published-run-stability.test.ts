// A published run's responses are byte-identical before and after a newer run of the same model
// is published (the promise behind permalinks and citations), while the unpinned "latest"
// responses do move to the new run. Route handlers are called directly against a real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { resetRateLimits } from './rate-limit';

// Imported after the database is migrated: loading the Prisma client first replaces the wasm panic
// registry that the migration engine reports through (lib/postgres/schema-engine.ts).
type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let getHeads: Handler, getHead: Handler, getRun: Handler, getExport: Handler, getCompare: (request: Request) => Promise<Response>;
let getComposition: Handler, getLabels: Handler, getNeurons: Handler, getNeuron: Handler, getExamples: Handler;
let exportIds: string[];
let closePrisma: () => Promise<void>;
let fixtures: typeof import('./openapi/contract-fixtures');

const A = 'rstable00001';
const B = 'rnewer000002';
const MODEL = 'stable-model';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  ({ closePrisma } = await import('../db/client'));
  getHeads = (await import('@/app/api/v1/models/[model]/heads/route')).GET as Handler;
  getHead = (await import('@/app/api/v1/models/[model]/heads/[layer]/[head]/route')).GET as Handler;
  getRun = (await import('@/app/api/v1/runs/[runId]/route')).GET as Handler;
  getExport = (await import('@/app/api/v1/runs/[runId]/export/[file]/route')).GET as Handler;
  getCompare = (await import('@/app/api/v1/compare/route')).GET;
  getComposition = (await import('@/app/api/v1/models/[model]/composition/route')).GET as Handler;
  getLabels = (await import('@/app/api/v1/models/[model]/labels/route')).GET as Handler;
  getNeurons = (await import('@/app/api/v1/models/[model]/neurons/[layer]/route')).GET as Handler;
  getNeuron = (await import('@/app/api/v1/models/[model]/neurons/[layer]/[neuron]/route')).GET as Handler;
  getExamples = (await import('@/app/api/v1/models/[model]/heads/[layer]/[head]/examples/route')).GET as Handler;
  exportIds = (await import('../export/tables')).EXPORT_TABLES.map((t) => t.id);
  fixtures = await import('./openapi/contract-fixtures');
  await (await import('../db/models')).upsertModel(fixtures.fixtureModel(MODEL, 3, 8));
  await fixtures.publishFixtureRun(fixtures.fixtureModel(MODEL, 3, 8), A);
});
afterAll(async () => {
  await closePrisma?.();
  await db?.stop();
});

const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
const req = (p: string) => new Request(`http://headwiki.test${p}`);

/** Every pinned response of run A: status, ETag and the exact bytes. */
async function pinnedResponses(): Promise<Record<string, { status: number; etag: string | null; bytes: string }>> {
  resetRateLimits();
  const calls: Record<string, () => Promise<Response>> = {
    heads: () => getHeads(req(`/api/v1/models/${MODEL}/heads?run=${A}`), ctx({ model: MODEL })),
    headsCsv: () => getHeads(req(`/api/v1/models/${MODEL}/heads?run=${A}&format=csv&sort=induction`), ctx({ model: MODEL })),
    head: () => getHead(req(`/api/v1/models/${MODEL}/heads/1/3?run=${A}`), ctx({ model: MODEL, layer: '1', head: '3' })),
    run: () => getRun(req(`/api/v1/runs/${A}`), ctx({ runId: A })),
    compare: () => getCompare(req(`/api/v1/compare?a=${A}&b=${A}`)),
    composition: () => getComposition(req(`/api/v1/models/${MODEL}/composition?run=${A}&limit=5`), ctx({ model: MODEL })),
    labels: () => getLabels(req(`/api/v1/models/${MODEL}/labels?run=${A}`), ctx({ model: MODEL })),
    neurons: () => getNeurons(req(`/api/v1/models/${MODEL}/neurons/1?run=${A}&sort=maxAct`), ctx({ model: MODEL, layer: '1' })),
    neuron: () => getNeuron(req(`/api/v1/models/${MODEL}/neurons/1/5?run=${A}`), ctx({ model: MODEL, layer: '1', neuron: '5' })),
    examples: () => getExamples(req(`/api/v1/models/${MODEL}/heads/1/3/examples?run=${A}`), ctx({ model: MODEL, layer: '1', head: '3' })),
  };
  // Every bulk-export table, in both formats.
  for (const id of exportIds) {
    for (const format of ['csv', 'jsonl']) {
      const file = `${id}.${format}`;
      calls[`export:${file}`] = () => getExport(req(`/api/v1/runs/${A}/export/${file}`), ctx({ runId: A, file }));
    }
  }
  const out: Record<string, { status: number; etag: string | null; bytes: string }> = {};
  for (const [name, fn] of Object.entries(calls)) {
    const res = await fn();
    out[name] = { status: res.status, etag: res.headers.get('etag'), bytes: await res.text() };
  }
  return out;
}

describe('published runs are stable', () => {
  it('serves byte-identical pinned responses after a newer run is published', async () => {
    const before = await pinnedResponses();
    const latestBefore = await (await getHeads(req(`/api/v1/models/${MODEL}/heads`), ctx({ model: MODEL }))).text();
    for (const r of Object.values(before)) expect(r.status).toBe(200);
    expect(before['export:head-metrics.csv'].bytes.split('\n')[0]).toBe('layer,head,name,metric,metric_version,value');
    expect(before['export:head-metrics.csv'].bytes.trim().split('\n')).toHaveLength(1 + 3 * 8 * 2);
    expect(before['export:neuron-examples.jsonl'].bytes).toContain('dragon');

    await fixtures.publishFixtureRun(fixtures.fixtureModel(MODEL, 3, 8), B, { extraInduction: true });

    const after = await pinnedResponses();
    expect(after).toEqual(before);
    // The check is sensitive: the unpinned table did move to the newer run.
    const latestAfter = await (await getHeads(req(`/api/v1/models/${MODEL}/heads`), ctx({ model: MODEL }))).text();
    expect(JSON.parse(latestBefore).run.id).toBe(A);
    expect(JSON.parse(latestAfter).run.id).toBe(B);
    expect(latestAfter).not.toBe(latestBefore);
  });
});
