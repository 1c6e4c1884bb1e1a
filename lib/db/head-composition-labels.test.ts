// Composition scores, baselines and head labels against a real PostgreSQL (embedded, migrated).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { closePrisma } from './client';
import {
  getCompositionBaselines,
  getHeadComposition,
  getHeadCompositionFor,
  getTopHeadComposition,
  saveHeadComposition,
} from './head-composition';
import { getHeadLabels, saveHeadLabels, type HeadLabelValue } from './head-labels';
import { upsertModel } from './models';
import { createRun, publishRun } from './runs';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  await upsertModel({
    slug: 'comp-model',
    displayName: 'Comp',
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
    description: '',
    config: {},
  });
}, 120_000);
afterAll(async () => {
  await closePrisma();
  await db?.stop();
});

const label: HeadLabelValue = {
  layer: 1,
  head: 0,
  label: 'induction',
  metricId: 'induction',
  score: 0.6,
  threshold: 0.3,
  status: 'confirmed',
  effect: 2.5,
  effectThreshold: 0.1,
  effectUnit: 'nats',
  detail: 'Loss 1 → 3.5 nats.',
  ablation: 'mean',
};

describe('HeadComposition, CompositionBaseline, HeadLabel', () => {
  it('saves while running, reads back by kind and by head, and refuses changes once published', async () => {
    const run = await createRun({ modelSlug: 'comp-model', options: {}, codeVersion: 't', seed: 1, metricVersions: {} });
    const scores = [
      { kind: 'k' as const, srcLayer: 0, srcHead: 1, dstLayer: 1, dstHead: 0, value: 0.5 },
      { kind: 'q' as const, srcLayer: 0, srcHead: 0, dstLayer: 1, dstHead: 1, value: 0.2 },
    ];
    await saveHeadComposition(run.id, scores, [{ kind: 'k', mean: 0.1, std: 0.01, draws: 200, seed: 1 }]);
    await saveHeadLabels(run.id, [label]);
    expect(await getHeadComposition(run.id, 'k')).toEqual([scores[0]]);
    expect(await getHeadCompositionFor(run.id, 1, 0)).toEqual([scores[0]]);
    expect(await getTopHeadComposition(run.id, 'k', 5)).toEqual([scores[0]]);
    expect(await getTopHeadComposition(run.id, 'v', 5)).toEqual([]);
    expect(await getCompositionBaselines(run.id)).toEqual([{ kind: 'k', mean: 0.1, std: 0.01, draws: 200, seed: 1 }]);
    expect(await getHeadLabels(run.id, { layer: 1, head: 0 })).toEqual([label]);
    // Per layer (finalize's layer jobs): a layer's save replaces that layer's labels only, and again on a retry.
    const layer0 = { ...label, layer: 0, head: 1 };
    await saveHeadLabels(run.id, [layer0], [0]);
    await saveHeadLabels(run.id, [layer0], [0]);
    expect(await getHeadLabels(run.id)).toEqual([layer0, label]);
    await expect(saveHeadLabels(run.id, [label], [0])).rejects.toThrow(/outside the layers/);

    await publishRun(run.id, 1);
    await expect(saveHeadLabels(run.id, [label])).rejects.toThrow(/published/);
    await expect(saveHeadComposition(run.id, scores, [])).rejects.toThrow(/published/);
  });

  it('rejects bad rows with a clear message', async () => {
    const run = await createRun({ modelSlug: 'comp-model', options: {}, codeVersion: 't', seed: 1, metricVersions: {} });
    await expect(
      saveHeadComposition(run.id, [{ kind: 'k', srcLayer: 1, srcHead: 0, dstLayer: 1, dstHead: 0, value: 1 }], []),
    ).rejects.toThrow(/srcLayer < dstLayer/);
    await expect(
      saveHeadComposition(run.id, [{ kind: 'k', srcLayer: 0, srcHead: 0, dstLayer: 2, dstHead: 0, value: 1 }], []),
    ).rejects.toThrow(/outside the model/);
    await expect(saveHeadLabels(run.id, [{ ...label, effect: Number.NaN }])).rejects.toThrow(/effect/);
  });
});
