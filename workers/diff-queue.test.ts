// Model diffs on the work queue end to end (issue 17): a real Postgres, worker processes (`scripts/worker.ts`),
// tiny seeded-random llama2.c models (queue-testing/tiny-model.ts). A diff split into shards over two workers
// publishes exactly the sections of the same diff in one shard (lib/diff's merges are exact); a model diffed
// with an identical copy gives exactly zero; a published diff is immutable; a worker killed inside a shard
// loses nothing (the shard is retried, the diff still publishes the one-shard answer).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPrisma } from '@/lib/db/client';
import { getDiffProgress } from '@/lib/db/diff-progress';
import { createDiff, failDiff, getDiff, getDiffSections } from '@/lib/db/diffs';
import { upsertModel } from '@/lib/db/models';
import { createRun, publishRun, type RunInfo } from '@/lib/db/runs';
import type { BlackBoxDiff, WhiteBoxDiff } from '@/lib/diff/types';
import { resolveModel } from '@/lib/models/registry';
import { queueSettings } from '@/lib/queue/names';
import { bundledCorpora, readDocuments } from './corpus-files';
import { modelInfo } from './model-info';
import { planDiff } from './plan-diff';
import { waitFor } from './queue-testing/cluster';
import { QueueCluster } from './queue-testing/proofs';
import { writeTinyModel } from './queue-testing/tiny-model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-diff-queue-'));
let cluster: QueueCluster;
let documents: string[];
let refA: string;
let refB: string;
let runA: RunInfo;
let runB: RunInfo;

/** A published run of the model (no results: a diff cites its run, and reads the model itself). */
async function publishedRun(ref: string): Promise<RunInfo> {
  const { model } = await resolveModel(ref);
  await upsertModel(modelInfo(model));
  const run = await createRun({ modelSlug: model.cfg.model_name, options: {}, codeVersion: 'diff-test', seed: 0, metricVersions: {} });
  return publishRun(run.id, 1);
}

function copyModel(ref: string, name: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.bin`);
  fs.copyFileSync(ref, file);
  fs.copyFileSync(path.join(path.dirname(ref), 'tok512.bin'), path.join(dir, 'tok512.bin'));
  return file;
}

async function planAndWait(a: { run: RunInfo; ref: string }, b: { run: RunInfo; ref: string }, shards: number): Promise<string> {
  const { diff } = await planDiff(cluster.boss, {
    runA: a.run,
    runB: b.run,
    modelRefA: a.ref,
    modelRefB: b.ref,
    corpus: { slug: 'diff-queue-test', name: 'test', source: 'bundled', license: 'CDLA-Sharing-1.0', documents },
    maxDocuments: 12,
    shards,
    codeVersion: 'diff-test',
    seed: 0,
    options: { contextLength: 32, topK: 5 },
    settings: queueSettings(),
  });
  await waitFor(
    `diff ${diff.id}`,
    async () => {
      const d = await getDiff(diff.id);
      if (d?.status === 'failed') throw new Error(`diff failed: ${d.error}`);
      return d?.status === 'published';
    },
    300_000,
    200,
  );
  return diff.id;
}

beforeAll(async () => {
  documents = await readDocuments(bundledCorpora(process.cwd())[0].path, 12);
  refA = writeTinyModel(path.join(tmp, 'a'), 1);
  refB = copyModel(writeTinyModel(path.join(tmp, 'b-src'), 2), 'tiny-other-seed', path.join(tmp, 'b'));
  cluster = await QueueCluster.start();
  runA = await publishedRun(refA);
  runB = await publishedRun(refB);
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('model diffs on the work queue', { timeout: 300_000 }, () => {
  let oneShard: Record<string, unknown>;

  it('a diff in 3 shards on two workers publishes exactly the sections of the diff in one shard', async () => {
    cluster.startWorker();
    cluster.startWorker();
    await cluster.ready();
    const single = await planAndWait({ run: runA, ref: refA }, { run: runB, ref: refB }, 1);
    const sharded = await planAndWait({ run: runA, ref: refA }, { run: runB, ref: refB }, 3);
    oneShard = await getDiffSections(single);
    expect(Object.keys(oneShard).sort()).toEqual(['black-box', 'white-box']);
    expect(await getDiffSections(sharded)).toEqual(oneShard);
    const bb = oneShard['black-box'] as BlackBoxDiff;
    expect(bb.documents).toBe(12);
    expect(bb.alignment.method).toBe('tokens');
    expect(bb.lossA.lossPerToken).not.toBe(bb.lossB.lossPerToken);
    // Every shard and the finalize are done, each by a worker (which of the two takes which job is the queue's
    // choice: on a loaded machine one may take them all).
    const progress = (await getDiffProgress(sharded))!;
    expect(progress.jobs).toMatchObject({ total: 4, done: 4, failed: 0 });
    expect(progress.jobs.list.every((j) => j.workerId !== null)).toBe(true);
    expect(progress.tokens.done).toBe(2 * 12); // black box + white box over 12 documents
  });

  it('an identical copy gives exactly zero everywhere', async () => {
    const copy = copyModel(refA, 'tiny-identical-copy', path.join(tmp, 'copy'));
    const runCopy = await publishedRun(copy);
    const id = await planAndWait({ run: runA, ref: refA }, { run: runCopy, ref: copy }, 2);
    const s = await getDiffSections(id);
    const bb = s['black-box'] as BlackBoxDiff;
    const wb = s['white-box'] as WhiteBoxDiff;
    expect(bb.meanAbsSegmentDiff).toBe(0);
    expect(bb.lossA).toEqual(bb.lossB);
    expect(wb.weights.relative).toBe(0);
    for (const r of wb.activations) expect(r.identical).toBe(r.units);
    for (const e of wb.dla.entries) expect(e.diff).toBe(0);
  });

  it('a published diff and its rows are immutable, whatever client talks to the database', async () => {
    const [diff] = await getPrisma().modelDiff.findMany({ where: { status: 'published' }, take: 1 });
    const client = new pg.Client({ connectionString: cluster.db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE "ModelDiff" SET "codeVersion" = 'x' WHERE id = $1`, [diff.id])).rejects.toThrow(/immutable/);
      await expect(client.query(`DELETE FROM "ModelDiff" WHERE id = $1`, [diff.id])).rejects.toThrow(/immutable/);
      await expect(client.query(`UPDATE "DiffSection" SET data = '{}' WHERE "diffId" = $1`, [diff.id])).rejects.toThrow(/immutable/);
      await expect(
        client.query(`INSERT INTO "DiffSection" ("diffId", section, data) VALUES ($1, 'extra', '{}')`, [diff.id]),
      ).rejects.toThrow(/immutable/);
      await expect(client.query(`DELETE FROM "DiffJob" WHERE "diffId" = $1`, [diff.id])).rejects.toThrow(/immutable/);
      await expect(client.query(`TRUNCATE "DiffSection"`)).rejects.toThrow(/TRUNCATE refused/);
      // The corpus it read is frozen too.
      await expect(client.query(`DELETE FROM "Document" WHERE "corpusId" = $1`, [diff.corpusId])).rejects.toThrow(/published diff/);
      // A diff may only cite published runs.
      const running = await createRun({ modelSlug: runA.modelSlug, options: {}, codeVersion: 't', seed: 0, metricVersions: {} });
      await expect(
        client.query(
          `INSERT INTO "ModelDiff" (id, "runAId", "runBId", "corpusId", options, "codeVersion", seed) VALUES ('d0000000000', $1, $2, $3, '{}', 't', 0)`,
          [runA.id, running.id, diff.corpusId],
        ),
      ).rejects.toThrow(/must both be published/);
      // Failing: a published diff refuses; a running one records its real error even while a writer holds it > 5 s.
      await expect(failDiff(diff.id, 'late')).rejects.toThrow(/published and immutable/);
      const corpus = await getPrisma().corpus.findUniqueOrThrow({ where: { id: diff.corpusId }, select: { slug: true } });
      const doomed = await createDiff({
        runAId: diff.runAId,
        runBId: diff.runBId,
        corpusSlug: corpus.slug,
        options: {},
        codeVersion: 't',
        seed: 0,
      });
      await client.query('BEGIN');
      await client.query('SELECT status FROM "ModelDiff" WHERE id = $1 FOR SHARE', [doomed.id]);
      const failing = failDiff(doomed.id, 'diff-shard:0/2: RangeError: Array buffer allocation failed');
      await new Promise((r) => setTimeout(r, 6000));
      await client.query('COMMIT');
      await failing;
      expect(await getDiff(doomed.id)).toMatchObject({
        status: 'failed',
        error: 'diff-shard:0/2: RangeError: Array buffer allocation failed',
      });
    } finally {
      await client.end();
    }
  }, 60_000);

  it('a worker killed inside a shard loses nothing: the shard is retried and the diff publishes the one-shard answer', async () => {
    await cluster.stopWorkers();
    const victim = cluster.startWorker();
    await cluster.ready([victim]);
    const { diff } = await planDiff(cluster.boss, {
      runA,
      runB,
      modelRefA: refA,
      modelRefB: refB,
      corpus: { slug: 'diff-queue-test', name: 'test', source: 'bundled', license: 'CDLA-Sharing-1.0', documents },
      maxDocuments: 12,
      shards: 1,
      codeVersion: 'diff-test',
      seed: 0,
      options: { contextLength: 32, topK: 5 },
      settings: queueSettings(),
    });
    await waitFor('the shard to start', async () => (await getDiffProgress(diff.id))?.jobs.active === 1, 120_000, 20);
    victim.child.kill('SIGKILL');
    await victim.exited;
    cluster.startWorker();
    await waitFor(`diff ${diff.id}`, async () => (await getDiff(diff.id))?.status === 'published', 300_000, 200);
    expect(await getDiffSections(diff.id)).toEqual(oneShard);
    const shard = (await getDiffProgress(diff.id))!.jobs.list.find((j) => j.kind === 'diff-shard')!;
    expect(shard.attempts).toBeGreaterThanOrEqual(2);
  });
});
