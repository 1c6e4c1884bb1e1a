// The neuron explorer's tables against a real PostgreSQL: a scan of the planted-neuron model saved into a run,
// read back (int16 activations within their quantisation step), sorted and keyset-paginated, and refused once
// the run is published (immutability triggers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { buildPlantedNeuronModel, charId } from '@/lib/testing/planted-neurons';
import { modelInfo } from '@/workers/model-info';
import { computeNeuronWiki } from '@/workers/neurons/compute';
import { neuronWikiRows, saveNeuronWiki } from '@/workers/neurons/publish';
import { closePrisma, getPrisma } from './client';
import { upsertModel } from './models';
import { createRun, publishRun } from './runs';
import { getNeuronExamples, getNeuronLayers, getNeuronStats, listNeuronStats, packActs, saveNeuronCorpus, unpackActs } from './neurons';

let db: TestDatabase;
const { model, tokenizer } = buildPlantedNeuronModel();
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });

beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
});

afterAll(async () => {
  await runner.dispose();
  await closePrisma();
  await db?.stop();
});

describe('packActs', () => {
  it('round-trips activations within half a quantisation step', () => {
    const ex = {
      kind: 'top' as const,
      rank: 0,
      value: 3,
      contextId: 0,
      docIndex: 0,
      chunk: 0,
      position: 1,
      windowStart: 0,
      tokenIds: [0, 1, 2],
      tokens: ['a', 'b', 'c'],
      acts: [0, -1.5, 3.25],
    };
    const { meta, bytes } = packActs([ex, { ...ex, acts: [0, 0, 0] }]);
    expect(bytes.byteLength).toBe(12);
    const [a, b] = unpackActs(meta, bytes);
    a.acts.forEach((v, i) => expect(Math.abs(v - ex.acts[i])).toBeLessThanOrEqual(3.25 / 32767 / 2 + 1e-12));
    expect(b.acts).toEqual([0, 0, 0]);
  });
});

describe('neuron tables', () => {
  it('saves a scan, reads it back, sorts and paginates, and refuses changes after publishing', async () => {
    const documents = ['xx marks the spot', 'quiet zebras', 'a box of wax', 'nothing', 'xylophone'];
    const wikis = await computeNeuronWiki({
      model,
      runner,
      tokenizer,
      corpora: [{ slug: 'planted', documents }],
      options: { contextLength: 16, k: 3, randomDirections: 4 },
    });
    await upsertModel(modelInfo(model));
    const run = await createRun({ modelSlug: model.cfg.model_name, options: {}, codeVersion: 't', seed: 0, metricVersions: {} });
    await saveNeuronWiki(run.id, wikis, tokenizer);

    const layers = await getNeuronLayers(run.id);
    expect(layers.map((l) => [l.corpusSlug, l.layer, l.site, l.nNeurons])).toEqual([
      ['planted', 0, 'post', 8],
      ['planted', 0, 'pre', 8],
    ]);
    expect(layers[0].baseline.directions).toBe(4);
    const n0 = await getNeuronStats(run.id, 'planted', 0, 'post', 0);
    expect(n0?.maxAct).toBe(4);
    expect(n0?.effects.inputTop[0]).toEqual({ token: charId('x'), piece: 'x', score: 4 });
    expect(n0?.histogram).toHaveLength(52);
    const examples = await getNeuronExamples(run.id, 'planted', 0, 'post', 0);
    const top = examples.filter((e) => e.kind === 'top');
    expect(top[0].value).toBe(4);
    expect(top[0].tokens[top[0].position - top[0].windowStart]).toBe('x');
    expect(top[0].acts[top[0].position - top[0].windowStart]).toBeCloseTo(4, 3);
    expect(top[0].minimal).toEqual({ length: 1, value: 4, available: expect.any(Number) });

    const byMax = await listNeuronStats(run.id, 'planted', 0, 'post', { sort: 'maxAct', dir: 'desc', limit: 2 });
    expect(byMax.map((r) => r.neuron)).toEqual([0, 1]);
    const next = await listNeuronStats(run.id, 'planted', 0, 'post', {
      sort: 'maxAct',
      dir: 'desc',
      limit: 10,
      after: { value: byMax[1].maxAct, neuron: 1 },
    });
    // Neuron 2 (max 2), then the dead neurons 3..7 (max 0) in index order: no row skipped or repeated.
    expect(next.map((r) => r.neuron)).toEqual([2, 3, 4, 5, 6, 7]);
    // Numbered pages (the layer page): the same order, from an offset.
    const page2 = await listNeuronStats(run.id, 'planted', 0, 'post', { sort: 'maxAct', dir: 'desc', limit: 3, offset: 3 });
    expect(page2.map((r) => r.neuron)).toEqual([3, 4, 5]);

    // Saving the same layers again (a retried finalize-layer job) replaces their rows: nothing doubled or left over.
    const count = async () =>
      Promise.all([
        getPrisma().neuronStats.count({ where: { runId: run.id } }),
        getPrisma().neuronExamples.count({ where: { runId: run.id } }),
        getPrisma().neuronLayerStats.count({ where: { runId: run.id } }),
        getPrisma().exampleSearchText.count({ where: { runId: run.id, unitKind: 'neuron' } }),
      ]);
    const before = await count();
    await saveNeuronWiki(run.id, wikis, tokenizer);
    expect(await count()).toEqual(before);
    expect((await getNeuronStats(run.id, 'planted', 0, 'post', 0))?.maxAct).toBe(4);

    await publishRun(run.id, 1);
    const rows = neuronWikiRows(wikis[0], tokenizer);
    await expect(saveNeuronCorpus(run.id, rows.layers, rows.neurons)).rejects.toThrow(/published/);
    await expect(getPrisma().neuronStats.deleteMany({ where: { runId: run.id } })).rejects.toThrow(/immutable/);
  });
});
