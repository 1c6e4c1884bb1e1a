import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { closePrisma } from '../db/client';
import { upsertModel } from '../db/models';
import { createRun, getLatestPublishedRun, publishRun } from '../db/runs';
import { databaseGenerationReader, PublishGeneration } from './publish-generation.mjs';
import { BoundedLru, GenerationCache } from './response-cache-handler.mjs';

/** A generation the test sets by hand. */
function manualGeneration(start = 'g1') {
  let value = start;
  return { set: (v: string) => (value = v), source: new PublishGeneration(async () => value, { intervalMs: 0 }) };
}

const page = (html: string) => ({
  kind: 'APP_PAGE',
  html,
  rscData: Buffer.from(html),
  headers: { 'x-next-cache-tags': '_N_T_/layout,_N_T_/models/m' },
});

describe('GenerationCache', () => {
  it('serves an entry while the publish generation it was rendered under lasts', async () => {
    const gen = manualGeneration();
    const cache = new GenerationCache(gen.source, 1 << 20);
    expect(await cache.get('/models/m')).toBeNull();
    await cache.set('/models/m', page('run A'));
    expect((await cache.get('/models/m'))?.value.html).toBe('run A');
    gen.set('g2'); // a run was published somewhere
    expect(await cache.get('/models/m')).toBeNull();
  });

  it('stamps a render with the generation of its miss, so a publish during the render cannot pin stale data', async () => {
    const gen = manualGeneration();
    const cache = new GenerationCache(gen.source, 1 << 20);
    expect(await cache.get('/models/m')).toBeNull(); // miss under g1: the render reads the database now
    gen.set('g2'); // publish while it renders
    await cache.set('/models/m', page('run A (rendered before the publish)'));
    expect(await cache.get('/models/m')).toBeNull();
  });

  it('drops entries by tag (revalidatePath / revalidateTag in this process)', async () => {
    const cache = new GenerationCache(manualGeneration().source, 1 << 20);
    await cache.set('/models/m', page('a'));
    await cache.revalidateTag(['_N_T_/models/other']);
    expect(await cache.get('/models/m')).not.toBeNull();
    await cache.revalidateTag('_N_T_/models/m');
    expect(await cache.get('/models/m')).toBeNull();
  });

  it('keeps nothing while the database was never reachable', async () => {
    const cache = new GenerationCache(new PublishGeneration(() => Promise.reject(new Error('down')), { intervalMs: 0 }), 1 << 20);
    await cache.get('/models/m');
    await cache.set('/models/m', page('a'));
    expect(await cache.get('/models/m')).toBeNull();
  });
});

describe('BoundedLru', () => {
  it('evicts the least recently used entries past its byte budget', () => {
    const lru = new BoundedLru(100);
    lru.set('a', { size: 40 });
    lru.set('b', { size: 40 });
    lru.get('a'); // a is now the most recent
    lru.set('c', { size: 40 });
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBeDefined();
    expect(lru.get('c')).toBeDefined();
    expect(lru.bytes).toBe(80);
    lru.set('huge', { size: 1000 }); // bigger than the budget: not kept, nothing evicted for it
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.bytes).toBe(80);
  });
});

describe('PublishGeneration', () => {
  it('reads at most once per interval, shares a read in flight, and keeps the last value when a read fails', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const g = new PublishGeneration(
      async () => {
        reads++;
        if (fail) throw new Error('database down');
        return `v${reads}`;
      },
      { intervalMs: 1000, now: () => now },
    );
    expect(await Promise.all([g.current(), g.current()])).toEqual(['v1', 'v1']);
    now = 500;
    expect(await g.current()).toBe('v1');
    expect(reads).toBe(1);
    now = 1500;
    fail = true;
    expect(await g.current()).toBe('v1');
    now = 3000;
    fail = false;
    expect(await g.current()).toBe('v3');
  });
});

describe('publishing a run invalidates cached latest pages (real Postgres)', () => {
  let db: TestDatabase;
  let reader: ReturnType<typeof databaseGenerationReader>;
  beforeAll(async () => {
    db = await startTestDatabase();
    process.env.DATABASE_URL = db.url;
  });
  afterAll(async () => {
    await reader?.close();
    await closePrisma();
    await db?.stop();
  });

  it('a newly published run appears on the latest page; pages are not re-rendered in between', async () => {
    await upsertModel({
      slug: 'm',
      displayName: 'm',
      architecture: 'llama',
      nLayers: 1,
      nHeads: 1,
      nKvHeads: 1,
      dModel: 4,
      dHead: 4,
      dMlp: 0,
      dVocab: 8,
      nCtx: 8,
      nParams: 100,
      source: 'test',
      license: 'MIT',
      description: 'test',
      config: {},
    });
    reader = databaseGenerationReader(db.url);
    const cache = new GenerationCache(new PublishGeneration(reader, { intervalMs: 0 }), 1 << 20);
    let renders = 0;
    // What Next does for a cached page: the cache, else render and store.
    const serveLatest = async () => {
      const hit = await cache.get('/models/m');
      if (hit) return hit.value.html as string;
      renders++;
      const html = `latest run: ${(await getLatestPublishedRun('m'))?.id ?? 'none'}`;
      await cache.set('/models/m', page(html));
      return html;
    };
    const newRun = () => createRun({ modelSlug: 'm', options: {}, codeVersion: 'test', seed: 0, metricVersions: {} });

    expect(await serveLatest()).toBe('latest run: none');
    const a = await newRun();
    expect(await serveLatest()).toBe('latest run: none'); // a running run changes nothing: still cached
    expect(renders).toBe(1);
    await publishRun(a.id, 1);
    expect(await serveLatest()).toBe(`latest run: ${a.id}`);
    expect(await serveLatest()).toBe(`latest run: ${a.id}`);
    expect(renders).toBe(2);
    const b = await newRun();
    await publishRun(b.id, 1);
    expect(await serveLatest()).toBe(`latest run: ${b.id}`);
    expect(renders).toBe(3);
  });
});
