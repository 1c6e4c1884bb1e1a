// What the diff and series pages read, on the contract fixtures (a published diff between the two example runs and a
// two-checkpoint series, lib/api/openapi/diff-fixtures.ts) in a real Postgres.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { createSeries } from '../db/checkpoint-series';
import { closePrisma } from '../db/client';
import { createRun } from '../db/runs';
import { toCsv } from './csv';
import { loadDiffDetail, loadSeriesDetail } from './diff-data';
import { EXAMPLE } from './openapi/common';
import { seedContractFixtures } from './openapi/contract-fixtures';
import { DIFF_EXAMPLE } from './openapi/diffs';
import { findDiffTable } from '../export/diff-tables';
import { databaseGenerationReader } from '../serve-cache/publish-generation.mjs';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await seedContractFixtures();
}, 120_000);
afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

describe('diff and series data', () => {
  it('a black-box-only diff lists its black-box tables, whose CSV carries the stored values', async () => {
    const detail = (await loadDiffDetail(DIFF_EXAMPLE.diffId))!;
    expect(detail.diff.a.runId).toBe(EXAMPLE.runId);
    expect(detail.sections.whiteBox).toBeNull();
    expect(detail.tables.map((t) => [t.id, t.rows])).toEqual([
      ['top-contexts', 2],
      ['continuations', 1],
    ]);
    const table = findDiffTable('top-contexts')!;
    const csv = toCsv(table.header, table.rows(detail.sections)).split('\n');
    expect(csv[1]).toBe('B better,1,0,2," sat",-3,-1,The cat ⟦ sat⟧');
    expect(await loadDiffDetail('dnosuchdiff')).toBeNull();
  });

  it("a series takes each checkpoint's loss from the diffs beside it and every head's metric per checkpoint", async () => {
    const detail = (await loadSeriesDetail(DIFF_EXAMPLE.seriesId))!;
    // Step 100 is side A of the diff to step 200; step 200 its side B.
    expect(detail.points.map((p) => [p.step, p.loss])).toEqual([
      [100, 2.5],
      [200, 2.0],
    ]);
    // Planted: L1H3 induction 0.9 in both runs; L2H5 0.7 only in the second.
    expect(detail.metrics.induction['1.3']).toEqual([0.9, 0.9]);
    expect(detail.metrics.induction['2.5']).toEqual([0.01 * ((2 * 8 + 5) % 7), 0.7]);
    expect(Object.keys(detail.metrics.induction)).toHaveLength(5 * 8);
  });

  it('series are written once, from published runs and diffs only, and never change', async () => {
    const running = await createRun({ modelSlug: EXAMPLE.model, options: {}, codeVersion: 't', seed: 0, metricVersions: {} });
    await expect(createSeries({ name: 'x', checkpoints: [{ step: 1, runId: running.id, diffId: null }] })).rejects.toThrow(/not published/);
    await expect(
      createSeries({
        name: 'x',
        checkpoints: [
          { step: 2, runId: EXAMPLE.runId, diffId: null },
          { step: 1, runId: EXAMPLE.otherRunId, diffId: null },
        ],
      }),
    ).rejects.toThrow(/steps must increase/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE "SeriesCheckpoint" SET step = 5 WHERE "seriesId" = $1`, [DIFF_EXAMPLE.seriesId])).rejects.toThrow(
        /immutable/,
      );
      await expect(client.query(`DELETE FROM "CheckpointSeries" WHERE id = $1`, [DIFF_EXAMPLE.seriesId])).rejects.toThrow(/immutable/);
    } finally {
      await client.end();
    }
  });

  it('writing a series changes the publish generation, so cached lists and pages refresh', async () => {
    const read = databaseGenerationReader(db.url);
    try {
      const before = await read();
      await createSeries({ name: 'another', checkpoints: [{ step: 1, runId: EXAMPLE.runId, diffId: null }] });
      expect(await read()).not.toBe(before);
    } finally {
      await read.close();
    }
  });
});
