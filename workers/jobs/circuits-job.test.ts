// The circuits job's queue plumbing: its payload parses (and a bad one is refused), its result survives staging
// (result codec) and finalize's write lands in the run's circuit tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureCircuitTasks, fixtureHeadRoles } from '@/lib/api/openapi/circuit-fixtures';
import { closePrisma } from '@/lib/db/client';
import { getCircuitTask, getHeadRoles } from '@/lib/db/circuits';
import { upsertModel } from '@/lib/db/models';
import { createRun } from '@/lib/db/runs';
import { startTestDatabase, type TestDatabase } from '@/lib/postgres/test-database';
import { parseJobPayload } from '@/lib/queue/payloads';
import { decodeResult, encodeResult } from '@/lib/queue/result-codec';
import type { CircuitWiki } from '../circuits/compute';
import { saveCircuitsResult, stageable } from './circuits-job';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await upsertModel({
    slug: 'job-model',
    displayName: 'Job',
    architecture: 'gpt2',
    nLayers: 2,
    nHeads: 2,
    nKvHeads: 2,
    dModel: 8,
    dHead: 4,
    dMlp: 16,
    dVocab: 16,
    nCtx: 32,
    nParams: 100,
    source: 'test',
    license: 'MIT',
    description: '',
    config: {},
  });
}, 120_000);
afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

const common = { runId: 'rabcdefghij', jobKey: 'circuits', modelRef: 'ioi-4l', corpusSlug: 'ioi-sample', maxTexts: 10, seed: 0 };

describe('circuits job', () => {
  it('payload: parsed with its prompt pairs; zero or missing pairs refused', () => {
    expect(parseJobPayload({ kind: 'circuits', ...common, promptPairs: 8 })).toMatchObject({
      kind: 'circuits',
      promptPairs: 8,
      weightProcessing: 'tl',
    });
    expect(() => parseJobPayload({ kind: 'circuits', ...common, promptPairs: 0 })).toThrow(/promptPairs/);
    expect(() => parseJobPayload({ kind: 'circuits', ...common })).toThrow(/promptPairs/);
  });

  it('a staged result (NaN cells included) is written by finalize and reads back', async () => {
    const tasks = fixtureCircuitTasks(2, 2);
    tasks[0].sweeps[0].effects[1] = NaN;
    const wiki: CircuitWiki = {
      tasks,
      roles: fixtureHeadRoles(),
      notes: { tasks: 2, usable: ['ioi'], forwardPasses: 9, notes: [], promptPairs: 8, discoveryThreshold: 0.05 },
    };
    expect(() => encodeResult(wiki)).toThrow(/NaN/);
    const staged = decodeResult<CircuitWiki>(encodeResult(stageable(wiki)));
    const run = await createRun({ modelSlug: 'job-model', options: {}, codeVersion: 't', seed: 1, metricVersions: {} });
    expect(await saveCircuitsResult(run.id, staged)).toEqual(wiki.notes);
    const ioi = await getCircuitTask(run.id, 'ioi');
    expect(ioi?.sweeps[0].effects[1]).toBeNull();
    expect(ioi?.circuit?.edges).toEqual(tasks[0].circuit!.edges);
    expect((await getHeadRoles(run.id)).length).toBe(4);
  });
});
