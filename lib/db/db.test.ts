// The data-access layer against a real PostgreSQL (embedded, temp dir, free port), migrated with
// lib/postgres/migrate.ts: one server for the whole file.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { closePrisma, getPrisma } from './client';
import { getCorpus, upsertCorpus } from './corpora';
import { getHeadMetrics, getHeadMetricsForHead, saveHeadMetrics } from './head-metrics';
import { getHeadPattern, saveExampleText, saveHeadPatterns } from './head-patterns';
import { getModel, listModels, upsertModel, type ModelInfo } from './models';
import { plantedTruthOf } from '@/lib/models/planted-truth';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { modelInfo } from '@/workers/model-info';
import { createRun, failRun, getLatestPublishedRun, getPublishedRun, getRun, publishRun } from './runs';

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
});

afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

function tinyModel(slug: string, overrides: Partial<ModelInfo> = {}): ModelInfo {
  return {
    slug,
    displayName: `Tiny ${slug}`,
    architecture: 'llama',
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    dModel: 64,
    dHead: 16,
    dMlp: 172,
    dVocab: 512,
    nCtx: 256,
    nParams: 260_000,
    source: 'hf:karpathy/tinyllamas',
    license: 'MIT',
    description: 'test model',
    config: { n_layers: 2, rotary_base: 10000, attn_only: false },
    ...overrides,
  };
}

const METRICS = { prev_token: 1, induction: 2 };

async function newRun(modelSlug: string) {
  return createRun({ modelSlug, options: { fold_ln: true }, codeVersion: 'test-1', seed: 42, metricVersions: METRICS });
}

/** A client outside lib/db, as any other program would connect. */
async function withRawClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('models', () => {
  it('round-trips a model, including a parameter count above 2^31 and the JSON config', async () => {
    await upsertModel(tinyModel('big-model', { nParams: 6_738_415_616, nLayers: 32, nHeads: 32, nKvHeads: 32 }));
    const m = await getModel('big-model');
    expect(m).toEqual(tinyModel('big-model', { nParams: 6_738_415_616, nLayers: 32, nHeads: 32, nKvHeads: 32 }));
    expect(await getModel('no-such-model')).toBeNull();
  });

  it('keeps a planted model’s planted truth in its config, for the model page’s planted-vs-detected panel', async () => {
    const planted = buildPlantedModel({ copyingHead: true }).model;
    await upsertModel(modelInfo(planted));
    const m = await getModel(planted.cfg.model_name);
    expect(plantedTruthOf(m?.config)).toEqual(planted.plantedTruth);
    expect(plantedTruthOf((await getModel('big-model'))?.config)).toBeNull();
  });

  it('upsert updates the description in place', async () => {
    await upsertModel(tinyModel('m-update'));
    await upsertModel(tinyModel('m-update', { description: 'second text', license: 'Apache-2.0' }));
    const m = await getModel('m-update');
    expect(m?.description).toBe('second text');
    expect(m?.license).toBe('Apache-2.0');
    expect(await getPrisma().model.count({ where: { slug: 'm-update' } })).toBe(1);
  });

  it('rejects bad input with the field named', async () => {
    await expect(upsertModel(tinyModel('bad slug!'))).rejects.toThrow(/upsertModel: invalid input: slug:/);
    await expect(upsertModel(tinyModel('m-bad', { nLayers: 0 }))).rejects.toThrow(/nLayers/);
    await expect(upsertModel(tinyModel('m-bad', { nHeads: 6, nKvHeads: 4 }))).rejects.toThrow(/multiple of nKvHeads/);
  });

  it('refuses to change the dimensions of a model that has runs', async () => {
    await upsertModel(tinyModel('m-shape'));
    await newRun('m-shape');
    await expect(upsertModel(tinyModel('m-shape', { nLayers: 3 }))).rejects.toThrow(/nLayers 2 -> 3/);
    await upsertModel(tinyModel('m-shape', { description: 'still fine' }));
    expect((await getModel('m-shape'))?.description).toBe('still fine');
  });

  it('lists models by slug with their latest published run only', async () => {
    await upsertModel(tinyModel('list-b'));
    await upsertModel(tinyModel('list-a'));
    const first = await newRun('list-a');
    await publishRun(first.id, 1000);
    const second = await newRun('list-a');
    await publishRun(second.id, 2000);
    await newRun('list-a'); // running: not shown
    const failed = await newRun('list-a');
    await failRun(failed.id, 'boom');

    const models = await listModels();
    const slugs = models.map((m) => m.slug);
    expect(slugs).toEqual([...slugs].sort());
    const a = models.find((m) => m.slug === 'list-a')!;
    const b = models.find((m) => m.slug === 'list-b')!;
    expect(a.latestRun?.id).toBe(second.id);
    expect(a.latestRun?.status).toBe('published');
    expect(a.latestRun?.durationMs).toBe(2000);
    expect(a.nHeads).toBe(4);
    expect(b.latestRun).toBeNull();
  });
});

describe('corpora', () => {
  it('creates, keeps identical documents, and replaces documents of an unused corpus', async () => {
    await upsertCorpus({ slug: 'tiny-stories', name: 'TinyStories', source: 'hf', license: 'CDLA', documents: ['a', 'b', 'c'] });
    await upsertCorpus({ slug: 'tiny-stories', name: 'TinyStories v2', source: 'hf', license: 'CDLA', documents: ['a', 'b', 'c'] });
    expect(await getCorpus('tiny-stories')).toEqual({
      slug: 'tiny-stories',
      name: 'TinyStories v2',
      source: 'hf',
      license: 'CDLA',
      documents: ['a', 'b', 'c'],
    });
    await upsertCorpus({ slug: 'tiny-stories', name: 'TinyStories', source: 'hf', license: 'CDLA', documents: ['x', 'y'] });
    expect((await getCorpus('tiny-stories'))?.documents).toEqual(['x', 'y']);
  });

  it('refuses to change the documents of a corpus a run uses', async () => {
    await upsertModel(tinyModel('m-corpus'));
    await upsertCorpus({ slug: 'used', name: 'Used', source: 's', license: 'l', documents: ['one', 'two'] });
    const run = await createRun({ modelSlug: 'm-corpus', corpusSlug: 'used', options: {}, codeVersion: 'v', seed: 1, metricVersions: {} });
    expect(run.corpusSlug).toBe('used');
    await expect(upsertCorpus({ slug: 'used', name: 'Used', source: 's', license: 'l', documents: ['one'] })).rejects.toThrow(
      /used by 1 run\(s\).*cannot change/,
    );
    expect((await getCorpus('used'))?.documents).toEqual(['one', 'two']);
  });

  it('rejects NUL characters, which Postgres text cannot store', async () => {
    await expect(upsertCorpus({ slug: 'nul', name: 'n', source: '', license: '', documents: ['ok', 'bad\u0000'] })).rejects.toThrow(
      /documents\.1: contains a NUL character/,
    );
  });
});

describe('runs', () => {
  it('creates a running run with a short random id', async () => {
    await upsertModel(tinyModel('m-run'));
    const before = Date.now();
    const run = await newRun('m-run');
    expect(run.id).toMatch(/^r[0-9a-hjkmnp-tv-z]{10}$/);
    expect(run).toMatchObject({
      modelSlug: 'm-run',
      corpusSlug: null,
      status: 'running',
      options: { fold_ln: true },
      codeVersion: 'test-1',
      seed: 42,
      metricVersions: { prev_token: 1, induction: 2 },
      error: null,
      publishedAt: null,
      durationMs: null,
    });
    expect(run.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5000);
    expect(await getRun(run.id)).toEqual(run);
    expect(await getRun('r0000000000')).toBeNull();
    expect(await getRun('../etc')).toBeNull();
    const other = await newRun('m-run');
    expect(other.id).not.toBe(run.id);
  });

  it('names an unknown model or corpus', async () => {
    await expect(createRun({ modelSlug: 'nope', options: {}, codeVersion: 'v', seed: 0, metricVersions: {} })).rejects.toThrow(
      'createRun: unknown model "nope" (upsertModel it first)',
    );
    await upsertModel(tinyModel('m-run2'));
    await expect(
      createRun({ modelSlug: 'm-run2', corpusSlug: 'nope', options: {}, codeVersion: 'v', seed: 0, metricVersions: {} }),
    ).rejects.toThrow('unknown corpus "nope"');
    await expect(createRun({ modelSlug: 'm-run2', options: {}, codeVersion: 'v', seed: 1.5, metricVersions: {} })).rejects.toThrow(/seed/);
    await expect(createRun({ modelSlug: 'm-run2', options: { n: 1n }, codeVersion: 'v', seed: 1, metricVersions: {} })).rejects.toThrow(
      /createRun: options must be JSON-serialisable: .*BigInt/,
    );
  });

  it('publishes once, records the duration, and refuses everything afterwards', async () => {
    await upsertModel(tinyModel('m-pub'));
    const run = await newRun('m-pub');
    const published = await publishRun(run.id, 1234.4);
    expect(published.status).toBe('published');
    expect(published.durationMs).toBe(1234);
    expect(published.publishedAt).toBeInstanceOf(Date);
    expect(await getLatestPublishedRun('m-pub')).toEqual(published);
    expect(await getPublishedRun(run.id)).toEqual(published);
    expect(await getPublishedRun((await newRun('m-pub')).id)).toBeNull(); // running: not visible

    await expect(publishRun(run.id, 1)).rejects.toThrow(`publishRun: run ${run.id} is published; only a running run can be published`);
    await expect(failRun(run.id, 'late')).rejects.toThrow(`failRun: run ${run.id} is published and immutable`);
    await expect(saveHeadMetrics(run.id, [{ layer: 0, head: 0, metricId: 'prev_token', metricVersion: 1, value: 1 }])).rejects.toThrow(
      `saveHeadMetrics: run ${run.id} is published; results can only be saved while it is running`,
    );
    await expect(publishRun('r9999999999', 1)).rejects.toThrow('publishRun: run r9999999999 does not exist');
    expect(await getRun(run.id)).toEqual(published);
  });

  it('marks a run failed with its error; failed runs are never the latest published', async () => {
    await upsertModel(tinyModel('m-fail'));
    const run = await newRun('m-fail');
    await failRun(run.id, 'CUDA out of memory');
    const failed = await getRun(run.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toBe('CUDA out of memory');
    expect(await getLatestPublishedRun('m-fail')).toBeNull();
    await expect(publishRun(run.id, 5)).rejects.toThrow(/is failed; only a running run can be published/);
  });

  it('records the real error even when failing waits longer than a transaction timeout (a writer holds the run for 6 s)', async () => {
    await upsertModel(tinyModel('m-fail-slow'));
    const run = await newRun('m-fail-slow');
    // A result writer's lock (what saveX / staging a large shard result hold while they write), kept for 6 s: longer
    // than Prisma's 5 s interactive-transaction default, which once turned this error into "expired transaction".
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT status FROM "Run" WHERE id = $1 FOR SHARE', [run.id]);
      const t0 = Date.now();
      const failing = failRun(run.id, 'neurons:0001/2: RangeError: Array buffer allocation failed');
      await new Promise((r) => setTimeout(r, 6000));
      expect((await getRun(run.id))?.status).toBe('running'); // still waiting for the writer
      await holder.query('COMMIT');
      await failing;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(6000);
    } finally {
      await holder.end();
    }
    const failed = await getRun(run.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toBe('neurons:0001/2: RangeError: Array buffer allocation failed');
    await failRun(run.id, 'a later error');
    expect((await getRun(run.id))?.error).toBe('a later error'); // latest error wins
    await expect(failRun('r9999999999', 'x')).rejects.toThrow('failRun: run r9999999999 does not exist');
  }, 30_000);

  it('the database itself refuses changes to a published run and its rows (triggers)', async () => {
    await upsertModel(tinyModel('m-trigger'));
    const run = await newRun('m-trigger');
    await saveHeadMetrics(run.id, [{ layer: 1, head: 2, metricId: 'induction', metricVersion: 2, value: 0.5 }]);
    await saveExampleText(run.id, { tokenIds: [1, 2], tokens: ['<s>', 'a'] });
    await saveHeadPatterns(run.id, [{ layer: 0, head: 0, pattern: new Float32Array([1, 0, 0.5, 0.5]) }]);
    await publishRun(run.id, 10);

    await withRawClient(async (c) => {
      const refused = /is published and immutable/;
      await expect(c.query(`UPDATE "Run" SET seed = 7 WHERE id = $1`, [run.id])).rejects.toThrow(refused);
      await expect(c.query(`DELETE FROM "Run" WHERE id = $1`, [run.id])).rejects.toThrow(refused);
      await expect(c.query(`UPDATE "HeadMetric" SET value = 9 WHERE "runId" = $1`, [run.id])).rejects.toThrow(
        /UPDATE on "HeadMetric" refused/,
      );
      await expect(c.query(`DELETE FROM "HeadMetric" WHERE "runId" = $1`, [run.id])).rejects.toThrow(refused);
      await expect(c.query(`INSERT INTO "HeadMetric" VALUES ($1, 0, 0, 'induction', 2, 1)`, [run.id])).rejects.toThrow(
        /INSERT on "HeadMetric" refused/,
      );
      await expect(c.query(`DELETE FROM "HeadPattern" WHERE "runId" = $1`, [run.id])).rejects.toThrow(refused);
      await expect(c.query(`UPDATE "RunExampleText" SET tokens = '{x,y}' WHERE "runId" = $1`, [run.id])).rejects.toThrow(refused);
      const e = await c.query(`UPDATE "Run" SET seed = 7 WHERE id = $1`, [run.id]).catch((err: { code?: string }) => err);
      expect((e as { code?: string }).code).toBe('HW001');
    });
    expect(await getHeadMetrics(run.id)).toEqual([{ layer: 1, head: 2, metricId: 'induction', metricVersion: 2, value: 0.5 }]);

    // A run that is not published can still be cleaned up, rows and all.
    const scratch = await newRun('m-trigger');
    await saveHeadMetrics(scratch.id, [{ layer: 0, head: 0, metricId: 'induction', metricVersion: 2, value: 1 }]);
    await withRawClient((c) => c.query(`DELETE FROM "Run" WHERE id = $1`, [scratch.id]));
    expect(await getRun(scratch.id)).toBeNull();
    expect(await getHeadMetrics(scratch.id)).toEqual([]);
  });
});

describe('head metrics', () => {
  it('saves, orders by layer/head/metricId, overwrites on retry, and reads one head', async () => {
    await upsertModel(tinyModel('m-metrics'));
    const run = await newRun('m-metrics');
    await saveHeadMetrics(run.id, [
      { layer: 1, head: 3, metricId: 'prev_token', metricVersion: 1, value: 0.125 },
      { layer: 0, head: 1, metricId: 'prev_token', metricVersion: 1, value: -2.5 },
      { layer: 0, head: 1, metricId: 'induction', metricVersion: 2, value: 0.9876543210123 },
      { layer: 0, head: 0, metricId: 'prev_token', metricVersion: 1, value: 1e-300 },
    ]);
    // A retried job writes the same key again: the new value wins.
    await saveHeadMetrics(run.id, [{ layer: 1, head: 3, metricId: 'prev_token', metricVersion: 1, value: 0.75 }]);

    expect(await getHeadMetrics(run.id)).toEqual([
      { layer: 0, head: 0, metricId: 'prev_token', metricVersion: 1, value: 1e-300 },
      { layer: 0, head: 1, metricId: 'induction', metricVersion: 2, value: 0.9876543210123 },
      { layer: 0, head: 1, metricId: 'prev_token', metricVersion: 1, value: -2.5 },
      { layer: 1, head: 3, metricId: 'prev_token', metricVersion: 1, value: 0.75 },
    ]);
    expect(await getHeadMetricsForHead(run.id, 0, 1)).toEqual([
      { layer: 0, head: 1, metricId: 'induction', metricVersion: 2, value: 0.9876543210123 },
      { layer: 0, head: 1, metricId: 'prev_token', metricVersion: 1, value: -2.5 },
    ]);
    expect(await getHeadMetricsForHead(run.id, 1, 0)).toEqual([]);
  });

  it('saves a whole model in one call (32 layers × 32 heads × 2 metrics)', async () => {
    await upsertModel(tinyModel('m-wide', { nLayers: 32, nHeads: 32, nKvHeads: 8 }));
    const run = await newRun('m-wide');
    const rows = [];
    for (let layer = 0; layer < 32; layer++)
      for (let head = 0; head < 32; head++)
        for (const [metricId, metricVersion] of Object.entries(METRICS))
          rows.push({ layer, head, metricId, metricVersion, value: layer + head / 100 });
    await saveHeadMetrics(run.id, rows);
    const saved = await getHeadMetrics(run.id);
    expect(saved).toHaveLength(2048);
    expect(saved[2047]).toEqual({ layer: 31, head: 31, metricId: 'prev_token', metricVersion: 1, value: 31.31 });
  });

  it('rejects rows that cannot be right, naming them', async () => {
    await upsertModel(tinyModel('m-metrics-bad'));
    const run = await newRun('m-metrics-bad');
    const row = { layer: 0, head: 0, metricId: 'prev_token', metricVersion: 1, value: 0 };
    await expect(saveHeadMetrics(run.id, [{ ...row, value: NaN }])).rejects.toThrow(/0\.value: must be a finite number/);
    await expect(saveHeadMetrics(run.id, [row, { ...row, head: 1, value: -Infinity }])).rejects.toThrow(
      /1\.value: must be a finite number/,
    );
    await expect(saveHeadMetrics(run.id, [{ ...row, layer: 2 }])).rejects.toThrow('L2H0 is outside the model (2 layers × 4 heads)');
    await expect(saveHeadMetrics(run.id, [row, row])).rejects.toThrow('L0H0 prev_token appears twice in one call');
    await expect(saveHeadMetrics(run.id, [{ ...row, metricVersion: 3 }])).rejects.toThrow(
      `metric "prev_token" has version 3 but run ${run.id} declared version 1`,
    );
    await expect(saveHeadMetrics(run.id, [{ ...row, metricId: 'copying' }])).rejects.toThrow(
      'metric "copying" is not among the run\'s metricVersions (induction, prev_token)',
    );
    await expect(saveHeadMetrics('r0000000000', [row])).rejects.toThrow('saveHeadMetrics: run r0000000000 does not exist');
    expect(await getHeadMetrics(run.id)).toEqual([]);
  });
});

describe('head patterns', () => {
  it('stores float32 patterns and returns them as rows over the example tokens', async () => {
    await upsertModel(tinyModel('m-pattern'));
    const run = await newRun('m-pattern');
    await saveExampleText(run.id, { tokenIds: [1, 403, 1147], tokens: ['<s>', ' Once', ' upon'] });
    const causal = new Float32Array([1, 0, 0, 0.25, 0.75, 0, 0.1, 0.2, 0.7]);
    await saveHeadPatterns(run.id, [
      { layer: 0, head: 3, pattern: causal },
      { layer: 1, head: 0, pattern: new Float32Array([1, 0, 0, 1, 0, 0, 1, 0, 0]) },
    ]);

    const got = await getHeadPattern(run.id, 0, 3);
    expect(got?.tokens).toEqual(['<s>', ' Once', ' upon']);
    // Exactly the float32 values given (0.1 etc. as float32, not as the double literal).
    expect(got?.pattern).toEqual([
      [1, 0, 0],
      [0.25, 0.75, 0],
      [Math.fround(0.1), Math.fround(0.2), Math.fround(0.7)],
    ]);
    expect((await getHeadPattern(run.id, 1, 0))?.pattern.map((r) => r[0])).toEqual([1, 1, 1]);
    expect(await getHeadPattern(run.id, 1, 1)).toBeNull();

    // Stored little-endian: 0.25 is 00 00 80 3e.
    const bytes = await withRawClient((c) =>
      c.query(`SELECT substring(pattern from 13 for 4) AS b FROM "HeadPattern" WHERE "runId" = $1 AND layer = 0 AND head = 3`, [run.id]),
    );
    expect([...(bytes.rows[0].b as Buffer)]).toEqual([0x00, 0x00, 0x80, 0x3e]);

    // Retried job: overwrite.
    await saveHeadPatterns(run.id, [{ layer: 0, head: 3, pattern: new Float32Array(9).fill(0.5) }]);
    expect((await getHeadPattern(run.id, 0, 3))?.pattern[2]).toEqual([0.5, 0.5, 0.5]);
  });

  it('checks shapes against the example text and the model', async () => {
    await upsertModel(tinyModel('m-pattern-bad'));
    const run = await newRun('m-pattern-bad');
    const p4 = new Float32Array(4);
    await expect(saveHeadPatterns(run.id, [{ layer: 0, head: 0, pattern: p4 }])).rejects.toThrow(
      `saveHeadPatterns: run ${run.id} has no example text; call saveExampleText first`,
    );
    await expect(saveExampleText(run.id, { tokenIds: [1, 2], tokens: ['a'] })).rejects.toThrow(/same length/);
    await saveExampleText(run.id, { tokenIds: [1, 2], tokens: ['a', 'b'] });
    await expect(saveHeadPatterns(run.id, [{ layer: 0, head: 0, pattern: new Float32Array(9) }])).rejects.toThrow(
      'pattern has 9 values, expected 2×2 = 4 for the 2-token example text',
    );
    await expect(saveHeadPatterns(run.id, [{ layer: 0, head: 4, pattern: p4 }])).rejects.toThrow(/outside the model/);
    await expect(saveHeadPatterns(run.id, [{ layer: 0, head: 0, pattern: [0, 0, 0, 0] as unknown as Float32Array }])).rejects.toThrow(
      'pattern must be a Float32Array',
    );
    await saveHeadPatterns(run.id, [{ layer: 0, head: 0, pattern: p4 }]);
    await expect(saveExampleText(run.id, { tokenIds: [1, 2, 3], tokens: ['a', 'b', 'c'] })).rejects.toThrow(
      /already has patterns for a 2-token text/,
    );
  });

  it('handles a realistic size: 144 heads of 128×128', async () => {
    await upsertModel(tinyModel('m-gpt2ish', { nLayers: 12, nHeads: 12, nKvHeads: 12 }));
    const run = await newRun('m-gpt2ish');
    const seq = 128;
    await saveExampleText(run.id, {
      tokenIds: Array.from({ length: seq }, (_, i) => i),
      tokens: Array.from({ length: seq }, (_, i) => `t${i}`),
    });
    const rows = [];
    for (let layer = 0; layer < 12; layer++)
      for (let head = 0; head < 12; head++) {
        const p = new Float32Array(seq * seq);
        for (let q = 0; q < seq; q++) p[q * seq + Math.min(q, layer)] = 1;
        rows.push({ layer, head, pattern: p });
      }
    await saveHeadPatterns(run.id, rows);
    const got = await getHeadPattern(run.id, 5, 7);
    expect(got?.pattern).toHaveLength(seq);
    expect(got?.pattern[100][5]).toBe(1);
    expect(got?.pattern[3][3]).toBe(1);
    expect(got?.pattern[100].reduce((a, b) => a + b, 0)).toBe(1);
  });
});
