import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { randomModel } from '@/lib/engine/random-model';
import type { CanonicalModel } from '@/lib/models/types';
import { buildPlantedNeuronModel } from '@/lib/testing/planted-neurons';
import { tokenKey } from './example';
import { UnitStream } from './unit-stream';
import { expectSameSummaries, scanBatches, streamOf, type ScannedBatch } from '@/lib/testing/reductions';

/**
 * The neuron scan's reduced path (UnitStream.observeReducedContext fed by the graph's reductions) against the path it
 * replaces (observeContext: every statistic from every value on the host), on the same activations.
 */

const contextsOf = (vocab: number, count: number, seed: number) =>
  Array.from({ length: count }, (_, i) => [
    1,
    ...Array.from({ length: 3 + ((i * 7 + seed) % 19) }, (_, p) => 2 + ((i * 31 + p * 17 + seed) % (vocab - 2))),
  ]);

async function withRunner<T>(model: CanonicalModel, f: (r: OnnxRunner) => Promise<T>): Promise<T> {
  const r = new OnnxRunner(model, { intraOpNumThreads: 1 });
  try {
    return await f(r);
  } finally {
    await r.dispose();
  }
}

describe('UnitStream.observeReducedContext (in-graph reductions) vs observeContext (every value on the host)', () => {
  const planted = buildPlantedNeuronModel();
  const gelu = randomModel({ act_fn: 'gelu_new', d_mlp: 40, n_layers: 1, d_vocab: 60, n_ctx: 32 }, { seed: 11 });

  it('planted neurons: identical summaries (exact activations, so even the moments match)', async () => {
    const texts = ['the fox ate an xylophone', 'a box of wax', 'quiet queens quarrel', 'no match here', 'lazy zebras, extra'];
    const contexts = texts.map((t) => planted.tokenizer.encode(t, { bos: true }));
    const batches = await withRunner(planted.model, (r) => scanBatches(r, 'blocks.0.mlp.hook_post', 8, contexts, 2, 32));
    expectSameSummaries(streamOf(batches, 8, 'graph'), streamOf(batches, 8, 'values'), 8, true);
  });

  it('random GELU model: identical examples, histograms, counts and extremes; moments to float32 rounding; graph = host reductions', async () => {
    const batches = await withRunner(gelu, (r) => scanBatches(r, 'blocks.0.mlp.hook_pre', 40, contextsOf(60, 23, 1), 5, 24));
    const values = streamOf(batches, 40, 'values');
    expectSameSummaries(streamOf(batches, 40, 'graph'), values, 40, false);
    expectSameSummaries(streamOf(batches, 40, 'host'), values, 40, false);
    // The CPU scan's path: argmax from the reducer, windows from its unit-major copy; the host reductions' exact state.
    const reducer = streamOf(batches, 40, 'reducer');
    expectSameSummaries(reducer, values, 40, false);
    expect(JSON.stringify(reducer.toPlainJSON())).toBe(JSON.stringify(streamOf(batches, 40, 'host').toPlainJSON()));
  });

  it('sampleEvery: the histogram counts exactly the keyed subsample of tokens; everything else sees every token', async () => {
    const batches = await withRunner(gelu, (r) => scanBatches(r, 'blocks.0.mlp.hook_post', 40, contextsOf(60, 23, 2), 5, 24));
    const every = 4;
    const sampled = streamOf(batches, 40, 'graph', { sampleEvery: every, seed: 5 });
    const all = streamOf(batches, 40, 'graph', { seed: 5 });
    // Reference: the same slots, counted only where tokenKey(seed, doc, pos) < 2^32 / every.
    const want = new Float64Array(sampled.histograms.counts.length);
    let kept = 0;
    for (const b of batches)
      b.contexts.forEach((c, i) => {
        for (let p = 1; p < c.tokens.length; p++) {
          if (tokenKey(5, c.doc, p) >= Math.floor(2 ** 32 / every)) continue;
          kept++;
          for (let u = 0; u < 40; u++) want[u * 14 + sampled.histograms.slot(u, b.data[(i * b.seq + p) * 40 + u])]++;
        }
      });
    expect(Array.from(sampled.histograms.counts)).toEqual(Array.from(want));
    const total = batches.reduce((a, b) => a + b.contexts.reduce((x, c) => x + c.tokens.length - 1, 0), 0);
    expect(kept).toBeGreaterThan(total / every / 2);
    expect(kept).toBeLessThan(total / 2);
    for (let u = 0; u < 40; u++) {
      const [s, a] = [sampled.summary(u), all.summary(u)];
      expect(s.stats).toEqual(a.stats);
      expect(s.top).toEqual(a.top);
      expect(s.random).toEqual(a.random);
      // Quantile samples come from sampled tokens only.
      for (const q of s.quantileSamples) if (q.example) expect(tokenKey(5, q.example.doc, q.example.pos)).toBeLessThan(2 ** 32 / every);
    }
  });

  it('merges shards exactly: any split of the contexts gives the single-stream state', async () => {
    const batches = await withRunner(gelu, (r) => scanBatches(r, 'blocks.0.mlp.hook_post', 40, contextsOf(60, 20, 3), 4, 24));
    const whole = streamOf(batches, 40, 'graph', { sampleEvery: 3 });
    // Shards share the whole scan's histogram ranges, as a run's shards share its calibration.
    const shard = (b: ScannedBatch[]) => streamOf(b, 40, 'graph', { sampleEvery: 3, ranges: whole.options.ranges });
    const merged = UnitStream.merge(shard(batches.slice(2)), shard(batches.slice(0, 2)));
    expect(JSON.stringify(merged.toPlainJSON())).toBe(JSON.stringify(whole.toPlainJSON()));
    // The same with the CPU scan's reducer (its windows come from a unit-major copy in some batches, not others).
    const wholeR = streamOf(batches, 40, 'reducer', { sampleEvery: 3 });
    const shardR = (b: ScannedBatch[]) => streamOf(b, 40, 'reducer', { sampleEvery: 3, ranges: wholeR.options.ranges });
    const mergedR = UnitStream.merge(shardR(batches.slice(1)), shardR(batches.slice(0, 1)));
    expect(JSON.stringify(mergedR.toPlainJSON())).toBe(JSON.stringify(wholeR.toPlainJSON()));
  });
});
