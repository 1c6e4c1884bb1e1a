// What a published run's pages read cannot change, whatever client talks to the database: the Model and
// Corpus rows it uses, its corpus' documents, and (TRUNCATE included) every table holding its rows.
// Against a real Postgres with the project's migrations (scripts/db/test-database.ts).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { closePrisma } from './client';
import { upsertCorpus } from './corpora';
import { saveHeadMetrics } from './head-metrics';
import { getModel, getModelCheckpointSource, listModels, upsertModel, type ModelInfo } from './models';
import { createRun, publishRun } from './runs';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
});
afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

const model = (slug: string, overrides: Partial<ModelInfo> = {}): ModelInfo => ({
  slug,
  displayName: slug,
  architecture: 'llama',
  nLayers: 2,
  nHeads: 2,
  nKvHeads: 2,
  dModel: 8,
  dHead: 4,
  dMlp: 16,
  dVocab: 32,
  nCtx: 16,
  nParams: 1000,
  source: '/home/alice/private/checkpoints/my-model',
  license: 'MIT',
  description: 'a test model',
  config: { n_layers: 2, b: 1, a: 2 },
  ...overrides,
});

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return await c.query<T>(text, values);
  } finally {
    await c.end();
  }
}

async function publishedRunOf(slug: string, corpus: string) {
  await upsertModel(model(slug));
  await upsertCorpus({ slug: corpus, name: corpus, source: 'test', license: 'CC0', documents: ['one', 'two'] });
  const run = await createRun({
    modelSlug: slug,
    corpusSlug: corpus,
    options: {},
    codeVersion: 't',
    seed: 1,
    metricVersions: { induction: 1 },
  });
  await saveHeadMetrics(run.id, [{ layer: 0, head: 0, metricId: 'induction', metricVersion: 1, value: 0.5 }]);
  await publishRun(run.id, 1);
  return run;
}

const refused = /published run|TRUNCATE refused/;

describe('immutability of published data (triggers)', () => {
  it('refuses UPDATE and DELETE of a Model row a published run uses; upserting it again leaves it as it is', async () => {
    await upsertModel(model('draft-model'));
    // No published run yet: the description may change.
    await sql(`UPDATE "Model" SET description = 'changed' WHERE slug = 'draft-model'`);

    await publishedRunOf('pub-model', 'pub-corpus');
    await expect(sql(`UPDATE "Model" SET description = 'rewritten' WHERE slug = 'pub-model'`)).rejects.toThrow(/UPDATE refused/);
    await expect(sql(`UPDATE "Model" SET source = '/elsewhere' WHERE slug = 'pub-model'`)).rejects.toThrow(/UPDATE refused/);
    await expect(sql(`DELETE FROM "Model" WHERE slug = 'pub-model'`)).rejects.toThrow(/DELETE refused/);
    const e = await sql(`UPDATE "Model" SET license = 'x' WHERE slug = 'pub-model'`).catch((err: { code?: string }) => err);
    expect((e as { code?: string }).code).toBe('HW001');
    // Prisma's upsert of the same model rewrites updatedAt only: allowed (the same checkpoint published again).
    await sql(`UPDATE "Model" SET "updatedAt" = now() WHERE slug = 'pub-model'`);
    await upsertModel(model('pub-model'));
    // Registered again with other details (another folder, other weight processing): the published row stays.
    await upsertModel(model('pub-model', { description: 'new words', source: '/elsewhere/ckpt', nParams: 999 }));
    expect(await getModel('pub-model')).toMatchObject({
      description: 'a test model',
      nParams: 1000,
      source: 'local checkpoint "my-model"',
    });
  });

  it('refuses changes to a used corpus and its documents', async () => {
    await publishedRunOf('corpus-model', 'used-corpus');
    const { rows } = await sql<{ id: number }>(`SELECT id FROM "Corpus" WHERE slug = 'used-corpus'`);
    const id = rows[0].id;
    await expect(sql(`UPDATE "Corpus" SET name = 'other' WHERE id = $1`, [id])).rejects.toThrow(/UPDATE refused/);
    await expect(sql(`UPDATE "Document" SET text = 'edited' WHERE "corpusId" = $1`, [id])).rejects.toThrow(/UPDATE on "Document" refused/);
    await expect(sql(`DELETE FROM "Document" WHERE "corpusId" = $1`, [id])).rejects.toThrow(/DELETE on "Document" refused/);
    await expect(sql(`INSERT INTO "Document" ("corpusId", index, text) VALUES ($1, 99, 'extra')`, [id])).rejects.toThrow(
      /INSERT on "Document" refused/,
    );
    // Registered again, renamed: the used corpus keeps its name; the same corpus again (every publish does this) is fine.
    await upsertCorpus({ slug: 'used-corpus', name: 'renamed', source: 'test', license: 'CC0', documents: ['one', 'two'] });
    await upsertCorpus({ slug: 'used-corpus', name: 'used-corpus', source: 'test', license: 'CC0', documents: ['one', 'two'] });
    expect((await sql<{ name: string }>(`SELECT name FROM "Corpus" WHERE id = $1`, [id])).rows[0].name).toBe('used-corpus');
  });

  it('refuses TRUNCATE of every table holding published data, and allows it where none is published', async () => {
    await publishedRunOf('trunc-model', 'trunc-corpus');
    // A table holding only an unpublished run's rows can still be emptied.
    const { rows: runIdTables } = await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'runId' ORDER BY table_name`,
    );
    const empty = [];
    for (const { table_name } of runIdTables) {
      const { rows } = await sql<{ n: string }>(`SELECT count(*) AS n FROM "${table_name}"`);
      if (Number(rows[0].n) === 0) empty.push(table_name);
    }
    expect(empty.length).toBeGreaterThan(0);
    // In one statement: RunJobPart references RunJob (a referenced table is truncated only with its referrers).
    await sql(`TRUNCATE ${empty.map((t) => `"${t}"`).join(', ')}`);
    for (const t of ['HeadMetric', 'Run', 'Model', 'Corpus', 'Document']) {
      await expect(sql(`TRUNCATE "${t}" CASCADE`)).rejects.toThrow(refused);
    }
    const { rows } = await sql<{ n: string }>(`SELECT count(*) AS n FROM "HeadMetric"`);
    expect(Number(rows[0].n)).toBeGreaterThan(0);
  });

  it('every table with a runId column (and Run, Model, Corpus, Document) has a row trigger and a TRUNCATE trigger', async () => {
    const { rows } = await sql<{ table_name: string; row_trigger: boolean; truncate_trigger: boolean }>(`
      SELECT c.relname AS table_name,
             bool_or(NOT (t.tgtype::int & 32 = 32) AND (t.tgtype::int & 1 = 1)) AS row_trigger,
             bool_or(t.tgtype::int & 32 = 32) AS truncate_trigger
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
       WHERE c.relkind = 'r'
         AND (c.relname IN ('Run', 'Model', 'Corpus', 'Document')
              OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'runId' AND NOT a.attisdropped))
         AND c.relname <> 'QueueWorker'
       GROUP BY c.relname ORDER BY c.relname`);
    expect(rows.length).toBeGreaterThanOrEqual(17);
    for (const r of rows)
      expect({ table: r.table_name, row: r.row_trigger, truncate: r.truncate_trigger }).toEqual({
        table: r.table_name,
        row: true,
        truncate: true,
      });
  });
});

describe('model sources in public data', () => {
  it('shows a local checkpoint by its last path segment, and keeps the path for loading it', async () => {
    await upsertModel(model('local-model', { source: '/srv/secret/alice/ckpt/tiny-llama' }));
    expect((await getModel('local-model'))?.source).toBe('local checkpoint "tiny-llama"');
    expect((await listModels()).find((m) => m.slug === 'local-model')?.source).toBe('local checkpoint "tiny-llama"');
    expect(await getModelCheckpointSource('local-model')).toBe('/srv/secret/alice/ckpt/tiny-llama');
  });
});
