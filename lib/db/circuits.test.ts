// Circuit tasks and head roles against a real PostgreSQL (embedded, migrated): round trip, NaN kept out of JSON,
// validation, and immutability once the run is published.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureCircuitTasks, fixtureHeadRoles } from '../api/openapi/circuit-fixtures';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { getCircuitTask, getHeadRoles, listCircuitTasks, saveCircuits } from './circuits';
import { closePrisma, getPrisma } from './client';
import { upsertModel } from './models';
import { createRun, publishRun } from './runs';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await upsertModel({
    slug: 'circ-model',
    displayName: 'Circ',
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

const newRun = () => createRun({ modelSlug: 'circ-model', options: {}, codeVersion: 't', seed: 1, metricVersions: {} });

describe('circuits storage', () => {
  it('round-trips tasks (heavy JSON included) and roles; non-finite sweep cells become null', async () => {
    const run = await newRun();
    const tasks = fixtureCircuitTasks(2, 2);
    tasks[0].sweeps[0].effects[3] = NaN;
    await saveCircuits(run.id, tasks, fixtureHeadRoles());
    const list = await listCircuitTasks(run.id);
    expect(list.map((t) => [t.task, t.usability.status])).toEqual([
      ['greater_than', 'untestable'],
      ['ioi', 'usable'],
    ]);
    const ioi = await getCircuitTask(run.id, 'ioi');
    expect(ioi?.circuit?.edges).toHaveLength(4);
    expect(ioi?.sweeps[0].effects[3]).toBeNull();
    expect(ioi?.sweeps[0].effects[0]).toBeCloseTo(-0.3);
    expect(ioi?.examples[0].answer).toBe(' Mary');
    expect(await getCircuitTask(run.id, 'no_such_task')).toBeNull();
    expect(await getCircuitTask(run.id, '../etc')).toBeNull();
    const roles = await getHeadRoles(run.id, { layer: 1, head: 1 });
    expect(roles.map((r) => [r.role, r.verdict, r.score])).toEqual([
      ['fact_mover', 'untestable', null],
      ['name_mover', 'yes', 0.8],
    ]);
    expect(roles[1].citation.url).toContain('2211.00593');
    expect(roles[1].confirmation).toEqual({ method: 'path patching to logits', effect: -0.7, confirmed: true });
  });

  it('refuses roles outside the model, duplicate tasks and malformed task names', async () => {
    const run = await newRun();
    const outside = [{ ...fixtureHeadRoles()[0], layer: 5 }];
    await expect(saveCircuits(run.id, [], outside)).rejects.toThrow(/outside the model/);
    const t = fixtureCircuitTasks(2, 2)[0];
    await expect(saveCircuits(run.id, [t, t], [])).rejects.toThrow(/listed twice/);
    await expect(saveCircuits(run.id, [{ ...t, task: 'Bad Name' }], [])).rejects.toThrow(/task/);
  });

  it('a published run refuses any change to its circuits (database triggers)', async () => {
    const run = await newRun();
    await saveCircuits(run.id, fixtureCircuitTasks(2, 2), fixtureHeadRoles());
    await publishRun(run.id, 1);
    await expect(saveCircuits(run.id, [], [])).rejects.toThrow();
    await expect(getPrisma().headRole.deleteMany({ where: { runId: run.id } })).rejects.toThrow(/published/);
    await expect(getPrisma().circuitTask.updateMany({ where: { runId: run.id }, data: { status: 'usable' } })).rejects.toThrow(/published/);
    expect(await listCircuitTasks(run.id)).toHaveLength(2);
  });
});
