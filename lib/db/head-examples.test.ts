// Head examples against a real PostgreSQL (embedded, migrated): round trip, pagination, immutability.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { closePrisma } from './client';
import { getHeadExamples, getHeadStats, runHasHeadExamples, saveHeadExamples, type StoredHeadExample } from './head-examples';
import { upsertModel } from './models';
import { createRun, publishRun } from './runs';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await upsertModel({
    slug: 'tiny-ex',
    displayName: 'tiny-ex',
    architecture: 'llama',
    nLayers: 2,
    nHeads: 2,
    nKvHeads: 2,
    dModel: 8,
    dHead: 4,
    dMlp: 0,
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

function example(kind: StoredHeadExample['kind'], rank: number): StoredHeadExample {
  return {
    kind,
    rank,
    value: 10 - rank,
    quantile: kind === 'quantile' ? 0.5 : null,
    contextId: 1024 * rank + 1,
    docIndex: rank,
    position: 3,
    windowStart: 1,
    tokenIds: [5, 6, 7, 8],
    tokens: ['▁a', '<0x0A>', '▁b', 'c'],
    acts: [0.5, 1.5, 2.5, 3.5],
    // Row i is destination windowStart + i; BOS (0) outside the window is kept.
    attention: [
      [
        [0, 0.75],
        [1, 0.25],
      ],
      [
        [1, 0.5],
        [2, 0.5],
      ],
      [
        [0, 0.25],
        [3, 0.75],
      ],
      [[2, 1]],
    ],
  };
}
const stats = {
  tokens: 40,
  mean: 1,
  std: 0.5,
  min: 0,
  max: 3,
  quantiles: [{ quantile: 0.5, value: 1 }],
  normLo: 0,
  normHi: 4,
  normCounts: [0, 10, 20, 10, 0],
  attentionCounts: [0, 5, 5, 30, 0],
};

describe('head examples in the database', () => {
  it('round-trips examples and stats, pages by rank, and refuses changes once published', async () => {
    const run = await createRun({ modelSlug: 'tiny-ex', options: {}, codeVersion: 't', seed: 0, metricVersions: {} });
    expect(await runHasHeadExamples(run.id)).toBe(false);
    const examples = [0, 1, 2].map((r) => example('top_norm', r)).concat([example('quantile', 0)]);
    await saveHeadExamples(run.id, [{ layer: 1, head: 0, examples, stats }], 3);
    // A retried job overwrites its own rows.
    await saveHeadExamples(run.id, [{ layer: 1, head: 0, examples, stats }], 3);
    await expect(saveHeadExamples(run.id, [{ layer: 2, head: 0, examples, stats }], 3)).rejects.toThrow(/outside the model/);

    const all = await getHeadExamples(run.id, 1, 0, { kind: 'top_norm', limit: 10 });
    expect(all.map((e) => e.rank)).toEqual([0, 1, 2]);
    expect(all[0]).toEqual(examples[0]);
    const page2 = await getHeadExamples(run.id, 1, 0, { kind: 'top_norm', afterRank: 0, limit: 1 });
    expect(page2.map((e) => e.rank)).toEqual([1]);
    expect((await getHeadExamples(run.id, 1, 0, { kind: 'quantile', limit: 10 }))[0].quantile).toBe(0.5);
    expect(await getHeadStats(run.id, 1, 0)).toEqual(stats);
    expect(await getHeadStats(run.id, 0, 0)).toBeNull();

    await publishRun(run.id, 1);
    await expect(saveHeadExamples(run.id, [{ layer: 0, head: 0, examples, stats }], 3)).rejects.toThrow(/published/);
    // The trigger holds for any client, not only lib/db.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await expect(c.query(`DELETE FROM "HeadExample" WHERE "runId" = $1`, [run.id])).rejects.toThrow(/immutable/);
      await expect(c.query(`UPDATE "HeadActivationStats" SET mean = 0 WHERE "runId" = $1`, [run.id])).rejects.toThrow(/immutable/);
    } finally {
      await c.end();
    }
  });
});
