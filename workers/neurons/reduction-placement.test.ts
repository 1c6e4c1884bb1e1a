import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { ReferenceRunner } from '@/lib/engine/reference';
import { UnitStream } from '@/lib/metrics/streaming';
import { buildPlantedNeuronModel } from '@/lib/testing/planted-neurons';
import { calibrateNeuronRanges, reductionsInGraph, scanNeuronShard } from './scan';

/**
 * Where the neuron scan reduces positions: in the graph on an accelerator, on the host (PositionReducer) on the CPU.
 * Both give the same statistics and examples (the host's sums are reduceOnHost's; the graph's round in another order).
 */
const { model, tokenizer } = buildPlantedNeuronModel();
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
afterAll(() => runner.dispose());
afterEach(() => {
  delete process.env.HEADWIKI_REDUCTIONS;
});
const texts = [
  'the fox ate an xylophone quietly',
  'a box of wax',
  'quiet queens quarrel',
  'x marks the spot, next to the exit',
  'lazy zebras',
];
const docs = texts.map((text, index) => ({ index, text }));
const options = { contextLength: 12, batchSize: 2, k: 3, randomK: 2, randomDirections: 4, seed: 3, sampleEvery: 2 };

describe('reductionsInGraph', () => {
  it('keeps the reductions in the graph on an accelerator only; HEADWIKI_REDUCTIONS forces either', () => {
    expect(reductionsInGraph(runner)).toBe(false); // CPU execution provider
    expect(reductionsInGraph(Object.assign(Object.create(runner) as OnnxRunner, { activeProvider: 'cuda' }))).toBe(true);
    expect(reductionsInGraph(new ReferenceRunner(model))).toBe(false);
    process.env.HEADWIKI_REDUCTIONS = 'graph';
    expect(reductionsInGraph(runner)).toBe(true);
    process.env.HEADWIKI_REDUCTIONS = 'host';
    expect(reductionsInGraph(Object.assign(Object.create(runner) as OnnxRunner, { activeProvider: 'cuda' }))).toBe(false);
  });

  it('scans give the same summaries with the reductions in the graph or on the host (planted neurons: exact activations)', async () => {
    const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs, options });
    process.env.HEADWIKI_REDUCTIONS = 'host';
    const host = await scanNeuronShard({ model, runner, tokenizer, docs, options, ranges });
    process.env.HEADWIKI_REDUCTIONS = 'graph';
    const graph = await scanNeuronShard({ model, runner, tokenizer, docs, options, ranges });
    const reference = await scanNeuronShard({ model, runner: new ReferenceRunner(model), tokenizer, docs, options, ranges });
    host.streams.forEach((s, i) => {
      const [h, g, r] = [s.neurons, graph.streams[i].neurons, reference.streams[i].neurons].map((x) => UnitStream.from(x));
      for (let u = 0; u < h.units; u++) {
        expect(h.summary(u)).toEqual(g.summary(u));
        expect(h.summary(u)).toEqual(r.summary(u));
      }
    });
  });
});
