// The example search-text table against a real PostgreSQL (embedded, migrated): written by both example writers in their
// transaction, replaced on a retried head save, immutable once published, equal to the migration's SQL backfill,
// and searched through the trigram index with LIKE wildcards taken literally.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { repoRoot } from '../../scripts/lib/paths';
import { likePattern } from '../search/like-pattern';
import { closePrisma, getPrisma } from './client';
import { saveHeadExamples, type StoredHeadExample } from './head-examples';
import { upsertModel } from './models';
import { saveNeuronCorpus, type NeuronToSave, type StoredNeuronExample } from './neurons';
import { createRun, publishRun } from './runs';
import { foldCase, searchUnitTexts } from './example-search-text';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await upsertModel({
    slug: 'tiny-search',
    displayName: 'tiny-search',
    architecture: 'llama',
    nLayers: 2,
    nHeads: 2,
    nKvHeads: 2,
    dModel: 8,
    dHead: 4,
    dMlp: 4,
    dVocab: 16,
    nCtx: 32,
    nParams: 100,
    source: 'test',
    license: 'MIT',
    description: 'test',
    config: null,
  });
});
afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

function headExample(kind: StoredHeadExample['kind'], rank: number, tokens: string[]): StoredHeadExample {
  return {
    kind,
    rank,
    value: 10 - rank,
    quantile: kind === 'quantile' ? 0.5 : null,
    contextId: rank,
    docIndex: rank,
    position: tokens.length - 1,
    windowStart: 0,
    tokenIds: tokens.map((_, i) => i),
    tokens,
    acts: tokens.map(() => 1),
    attention: tokens.map((_, i): [number, number][] => [[i, 1]]),
  };
}
const headStats = {
  tokens: 4,
  mean: 1,
  std: 0,
  min: 0,
  max: 1,
  quantiles: [],
  normLo: 0,
  normHi: 1,
  normCounts: [1],
  attentionCounts: [1],
};

function neuronExample(kind: StoredNeuronExample['kind'], rank: number, tokens: string[]): StoredNeuronExample {
  return {
    kind,
    rank,
    value: 1,
    contextId: rank,
    docIndex: rank,
    chunk: 0,
    position: 0,
    windowStart: 0,
    tokenIds: tokens.map((_, i) => i),
    tokens,
    acts: tokens.map(() => 0.5),
  };
}
function neuron(corpusSlug: string, layer: number, site: string, n: number, examples: StoredNeuronExample[]): NeuronToSave {
  return {
    stats: {
      corpusSlug,
      layer,
      site,
      neuron: n,
      count: 1,
      maxAct: 1,
      minAct: 0,
      mean: 0,
      variance: 0,
      skewness: 0,
      kurtosis: 0,
      density: 0,
      topTokenShare: 0,
      histLo: 0,
      histHi: 1,
      histogram: [1],
      quantileLevels: [],
      quantiles: [],
      minimalRate: null,
      comparison: null,
      warning: null,
      effects: { logitTop: [], logitBottom: [], inputTop: [] },
    } as NeuronToSave['stats'],
    examples,
  };
}
const layerRow = (corpusSlug: string, layer: number, site: string) => ({
  corpusSlug,
  layer,
  site,
  nNeurons: 4,
  contexts: 1,
  tokens: 1,
  baseline: { directions: 1, stats: {} },
  options: {},
});

const rowsOf = async (runId: string) =>
  getPrisma().exampleSearchText.findMany({
    where: { runId },
    orderBy: [
      { unitKind: 'asc' },
      { layer: 'asc' },
      { site: 'asc' },
      { unit: 'asc' },
      { corpusSlug: 'asc' },
      { exampleKind: 'asc' },
      { rank: 'asc' },
    ],
  });

// Tokens that exercise every rule of examplePlainText, plus markup and LIKE wildcards.
const TRICKY = ['<s>', '▁The', 'Ġlittle', '<0x0A>', 'Ċ', '▁girl', '\t', '<0x41>', '▁100%', '_', 'done', '<b>'];

describe('ExampleSearchText', () => {
  it('is written with head and neuron examples (top lists only, page order) and replaced when a head is saved again', async () => {
    const run = await createRun({ modelSlug: 'tiny-search', options: {}, codeVersion: 't', seed: 0, metricVersions: {} });
    const examples = [
      headExample('top_norm', 1, ['▁second', '▁norm']),
      headExample('top_norm', 0, ['▁first', '▁norm']),
      headExample('top_attention', 0, TRICKY),
      headExample('quantile', 0, ['▁not', '▁searched']),
    ];
    await saveHeadExamples(
      run.id,
      [
        { layer: 1, head: 0, examples, stats: headStats },
        { layer: 0, head: 1, examples: [headExample('quantile', 0, ['▁x'])], stats: headStats },
      ],
      1,
    );
    await saveNeuronCorpus(
      run.id,
      [layerRow('c1', 0, 'post')],
      [
        neuron('c1', 0, 'post', 2, [
          neuronExample('top', 0, ['▁a', '▁dragon']),
          neuronExample('diverse', 0, ['▁dragon', '▁not']),
          neuronExample('top', 1, ['Ġthe', 'Ġdragon']),
        ]),
        neuron('c1', 0, 'post', 3, [neuronExample('random', 0, ['▁only', '▁random'])]),
      ],
    );
    const rows = await rowsOf(run.id);
    // Only top lists are searched: a head or neuron without top examples has no row.
    expect(rows.map((r) => [r.unitKind, r.layer, r.site, r.unit, r.corpusSlug, r.exampleKind, r.rank, r.text])).toEqual([
      ['head', 1, '', 0, '', 'top_attention', 0, '<s> The little   girl <0x41> 100%_done<b>'],
      ['head', 1, '', 0, '', 'top_norm', 0, ' first norm'],
      ['head', 1, '', 0, '', 'top_norm', 1, ' second norm'],
      ['neuron', 0, 'post', 2, 'c1', 'top', 0, ' a dragon'],
      ['neuron', 0, 'post', 2, 'c1', 'top', 1, ' the dragon'],
    ]);
    expect(rows[0].folded).toBe('<s> the little   girl <0x41> 100%_done<b>');
    // A retried job re-saves its head: the row follows the new examples.
    await saveHeadExamples(run.id, [{ layer: 1, head: 0, examples: [headExample('top_norm', 0, ['▁retried'])], stats: headStats }], 1);
    expect((await rowsOf(run.id)).filter((r) => r.unitKind === 'head').map((r) => r.text)).toEqual([' retried']);
  });

  it('equals what the migration backfills from the examples tables (the SQL twin of examplePlainText)', async () => {
    const run = await createRun({ modelSlug: 'tiny-search', options: {}, codeVersion: 't', seed: 1, metricVersions: {} });
    await saveHeadExamples(
      run.id,
      [
        {
          layer: 0,
          head: 0,
          examples: [
            headExample('top_norm', 0, TRICKY),
            headExample('top_attention', 1, ['Ġb']),
            headExample('top_attention', 0, ['č', '<0x20>', '<0x09>', '\r\n']),
          ],
          stats: headStats,
        },
      ],
      1,
    );
    await saveNeuronCorpus(
      run.id,
      [layerRow('c1', 1, 'mid'), layerRow('c2', 1, 'mid')],
      [
        neuron('c1', 1, 'mid', 0, [neuronExample('top', 0, TRICKY), neuronExample('quantile', 0, ['▁q']), neuronExample('top', 1, [])]),
        neuron('c2', 1, 'mid', 0, [neuronExample('top', 0, ['ĉ', '▁tab'])]),
      ],
    );
    const written = await rowsOf(run.id);
    const migrationDir = fs.readdirSync(path.join(repoRoot, 'prisma/migrations')).find((d) => d.endsWith('_example_search_text'))!;
    const sql = fs.readFileSync(path.join(repoRoot, 'prisma/migrations', migrationDir, 'migration.sql'), 'utf8');
    const backfill = sql.slice(sql.indexOf('-- Backfill'), sql.indexOf('-- Per-run table'));
    expect(backfill).toMatch(/INSERT INTO "ExampleSearchText"[\s\S]*INSERT INTO "ExampleSearchText"/);
    // Only this test's run is unpublished and has examples: clear every row, re-create them with the migration's SQL.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('DELETE FROM "ExampleSearchText"');
      await c.query(backfill);
    } finally {
      await c.end();
    }
    expect(await rowsOf(run.id)).toEqual(written);
  });

  it('finds units by phrase (wildcards literal, not across examples), counts matching examples, and is immutable once published', async () => {
    const run = await createRun({ modelSlug: 'tiny-search', options: {}, codeVersion: 't', seed: 2, metricVersions: {} });
    await saveNeuronCorpus(
      run.id,
      [layerRow('c1', 0, 'post'), layerRow('c2', 0, 'post')],
      [
        neuron('c1', 0, 'post', 0, [
          neuronExample('top', 0, ['▁no']),
          neuronExample('top', 1, ['▁the', '▁Little', '▁girl']),
          neuronExample('top', 2, ['Ġlittle', 'Ġgirl']),
        ]),
        neuron('c1', 0, 'post', 1, [neuronExample('top', 0, ['▁little']), neuronExample('top', 1, ['▁girl', '▁100%_'])]),
        neuron('c2', 0, 'post', 0, [neuronExample('top', 0, ['▁LITTLE', '▁GIRL'])]),
        neuron('c2', 0, 'post', 1, [neuronExample('top', 0, ['▁little', '▁girl'])]),
      ],
    );
    await publishRun(run.id, 1);
    const find = (phrase: string, corpus: string | null = null) =>
      searchUnitTexts('neuron', [{ runId: run.id, corpus }], likePattern(foldCase(phrase)), 10);
    const hits = await find('LITTLE GIRL');
    expect(hits.map((h) => [h.unit, h.hits, h.exampleRank, h.text])).toEqual([
      [0, 3, 1, ' the Little girl'], // 2 on c1 + 1 on c2; the first match is c1's
      [1, 1, 0, ' little girl'], // c2 only
    ]);
    expect((await find('little girl', 'c1')).map((h) => [h.unit, h.hits])).toEqual([[0, 2]]);
    expect((await find('little girl', 'c2')).map((h) => [h.unit, h.hits, h.text])).toEqual([
      [0, 1, ' LITTLE GIRL'],
      [1, 1, ' little girl'],
    ]);
    expect(await find('little\ngirl')).toEqual([]); // not across two examples of neuron 1
    expect((await find('100%_')).map((h) => h.unit)).toEqual([1]);
    expect(await find('100_%')).toEqual([]);
    expect((await find('%')).map((h) => h.unit)).toEqual([1]); // a literal percent sign
    expect(await find('%x')).toEqual([]);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await expect(c.query('DELETE FROM "ExampleSearchText" WHERE "runId" = $1', [run.id])).rejects.toThrow(/published and immutable/);
      await expect(
        c.query(`INSERT INTO "ExampleSearchText" VALUES ($1, 'head', 0, '', 0, '', 'top_norm', 0, 'x', 'x')`, [run.id]),
      ).rejects.toThrow(/published and immutable/);
      // The trigram index is there and usable for the LIKE the search runs.
      await c.query('SET enable_seqscan = off');
      const plan = (await c.query(`EXPLAIN SELECT 1 FROM "ExampleSearchText" WHERE "folded" LIKE '%little girl%'`)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/ExampleSearchText_folded_idx/);
    } finally {
      await c.end();
    }
  });
});
