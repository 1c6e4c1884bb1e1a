import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { ReferenceRunner } from '@/lib/engine/reference';
import { randomModel } from '@/lib/engine/random-model';
import { neuronSites, siteHook } from '@/lib/metrics/neurons/sites';
import type { Tokenizer } from '@/lib/tokenizers/types';
import { buildPlantedNeuronModel, charId } from '@/lib/testing/planted-neurons';
import { calibrateNeuronRanges, mergeNeuronShards, scanNeuronShard } from './scan';
import { compareDatasets, finalizeNeuronStats } from './finalize';
import { findMinimalExamples } from './minimal-examples';
import { project, randomDirections, transposeDirections } from './random-directions';
import type { CorpusDoc } from './contexts';
import { decodeResult, encodeResult } from '@/lib/queue/result-codec';

const { model, tokenizer } = buildPlantedNeuronModel();
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
afterAll(() => runner.dispose());

const texts = [
  'the fox ate an xylophone quietly',
  'a box of wax',
  'quiet queens quarrel',
  'no match here at all',
  'x marks the spot, next to the exit',
  'lazy zebras',
  'extra text extra text extra',
];
const docs: CorpusDoc[] = texts.map((text, index) => ({ index, text }));
const options = { contextLength: 16, batchSize: 4, k: 5, randomK: 3, randomDirections: 6, seed: 1 };

async function scan(d: CorpusDoc[], ranges: Awaited<ReturnType<typeof calibrateNeuronRanges>>) {
  return scanNeuronShard({ model, runner, tokenizer, docs: d, options, ranges });
}

describe('neuron scan on planted neurons', () => {
  it('finds each neuron’s known statistics, examples, weight effects and minimal examples', async () => {
    const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs, options });
    const merged = mergeNeuronShards([await scan(docs, ranges)]);
    const wiki = await finalizeNeuronStats({ model, corpusSlug: 'test', merged });
    // A ReLU MLP has two sites: post (the neuron) and pre (its input); here they coincide where it fires.
    expect(wiki.layers.map((l) => l.site)).toEqual(['post', 'pre']);
    expect(wiki.layers[1].neurons[0].summary.stats.max).toBe(4);
    const [n0, n1, n2, n3] = wiki.layers[0].neurons;

    // Known answers: count the characters (BOS excluded; contexts of 16 = BOS + 15 characters).
    const chars = texts.join('');
    const xs = [...chars].filter((c) => c === 'x').length;
    expect(n0.summary.stats.count).toBe(chars.length);
    expect(n0.summary.stats.max).toBe(4);
    expect(n0.summary.stats.density).toBeCloseTo(xs / chars.length, 12);
    expect(n0.summary.stats.mean).toBeCloseTo((4 * xs) / chars.length, 12);
    expect(n0.summary.top.every((e) => e.value === 4 && e.tokens[e.pos - e.windowStart] === charId('x'))).toBe(true);
    expect(n0.topTokenShare).toBe(1);
    // Top examples keep the whole prefix of their context (BOS at window position 0): they expand to the full context.
    expect(n0.summary.top.every((e) => e.windowStart === 0 && e.tokens[0] === tokenizer.bosId && e.tokens.length >= e.pos + 1)).toBe(true);
    expect(n2.summary.stats.max).toBe(2);
    expect(n3.summary.stats.max).toBe(0);
    expect(n3.summary.stats.density).toBe(0);
    // Contexts where it never fires still have a (zero) max: only the active examples name its tokens.
    const active = n1.summary.top.filter((e) => e.value > 0);
    expect(new Set(active.map((e) => tokenizer.piece(e.tokens[e.pos - e.windowStart])))).toEqual(new Set(['q', 'z']));
    expect(active.every((e) => e.value === 3)).toBe(true);

    // Weight effects: neuron 0 reads 'x' and writes '!'.
    expect(n0.effects.inputTop[0].token).toBe(charId('x'));
    expect(n0.effects.inputTop[0].score).toBe(4);
    expect(n0.effects.logitTop[0].token).toBe(charId('!'));
    expect(
      n1.effects.inputTop
        .slice(0, 2)
        .map((t) => t.token)
        .sort(),
    ).toEqual([charId('q'), charId('z')].sort());

    // Baseline: one entry per random direction.
    expect(wiki.layers[0].baseline.max.values).toHaveLength(6);

    // A neuron that reads the current character needs one token: every minimal suffix has length 1.
    const minimal = await findMinimalExamples(runner, [{ layer: 0, site: 'post', neuron: 0, examples: n0.summary.top }], {
      bosId: tokenizer.bosId,
    });
    expect(minimal[0].map((m) => m.length)).toEqual(n0.summary.top.map(() => 1));
    expect(minimal[0].every((m) => m.value === 4)).toBe(true);
  });

  it('merges shards to the single-pass result', async () => {
    const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs, options });
    const whole = mergeNeuronShards([await scan(docs, ranges)]);
    // Shards staged as the job queue stages them (lib/queue/result-codec), then merged.
    const staged = <T>(x: T): T => decodeResult<T>(encodeResult(x));
    const parts = mergeNeuronShards([
      staged(await scan(docs.slice(4), ranges)),
      staged(await scan(docs.slice(0, 2), ranges)),
      staged(await scan(docs.slice(2, 4), ranges)),
    ]);
    const wa = await finalizeNeuronStats({ model, corpusSlug: 't', merged: whole });
    const wb = await finalizeNeuronStats({ model, corpusSlug: 't', merged: staged(parts) });
    expect(JSON.stringify(wb)).toBe(JSON.stringify(wa));
  });

  it('says which neuron and document when the model produces NaN (a corrupt checkpoint), instead of failing in a sum', async () => {
    const broken = { ...model, weights: new Map(model.weights) };
    const w = broken.weights.get('blocks.0.mlp.W_in')!;
    const data = Float32Array.from(w.data as Float32Array);
    data[2] = NaN; // row 0 (d_model index 0), neuron 2
    broken.weights.set('blocks.0.mlp.W_in', { ...w, data });
    const brokenRunner = new OnnxRunner(broken, { intraOpNumThreads: 1 });
    try {
      const ranges = await calibrateNeuronRanges({ model: broken, runner: brokenRunner, tokenizer, docs, options });
      await expect(scanNeuronShard({ model: broken, runner: brokenRunner, tokenizer, docs, options, ranges })).rejects.toThrow(
        /^blocks\.0\.mlp\.hook_(post|pre), neuron 2: NaN or ±Infinity in document 0 \(chunk 0\): the model's weights or activations are not finite/,
      );
    } finally {
      await brokenRunner.dispose();
    }
  });

  it('warns when a neuron fires on different tokens in two datasets', async () => {
    const a: CorpusDoc[] = ['quiet quokka', 'six xenon axes'].map((text, index) => ({ index, text }));
    const b: CorpusDoc[] = ['zany zebra zone', 'fox box'].map((text, index) => ({ index, text }));
    const wikiOf = async (d: CorpusDoc[], slug: string) => {
      const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs: d, options });
      return await finalizeNeuronStats({ model, corpusSlug: slug, merged: await scan(d, ranges) });
    };
    const wa = await wikiOf(a, 'qs');
    const wb = await wikiOf(b, 'zs');
    compareDatasets(wa, wb, (t) => tokenizer.piece(t));
    const [n0, n1] = wa.layers[0].neurons;
    expect(n1.comparison?.warning).toMatch(/different tokens/);
    expect(n0.comparison?.warning).toBeNull();
    expect(n0.comparison?.topTokenOverlap).toBe(1);
  });
});

describe('neuron sites (open problem 6.38)', () => {
  it('lists post/pre/mid by MLP kind', () => {
    const base = { attn_only: false, d_mlp: 8 };
    expect(neuronSites({ ...base, act_fn: 'solu_ln', gated_mlp: false })).toEqual(['post', 'pre', 'mid']);
    expect(neuronSites({ ...base, act_fn: 'gelu_new', gated_mlp: false })).toEqual(['post', 'pre']);
    expect(neuronSites({ ...base, act_fn: 'silu', gated_mlp: true })).toEqual(['post']);
    expect(neuronSites({ ...base, d_mlp: 0, act_fn: null, gated_mlp: false, attn_only: true })).toEqual([]);
  });

  it('scans a SoLU model at pre, mid and post: each site’s max and mean match the reference forward', async () => {
    const solu = randomModel({ act_fn: 'solu_ln', d_mlp: 12, n_layers: 2, d_vocab: 40, n_ctx: 32, model_name: 'tiny-solu' }, { seed: 7 });
    // Characters → ids 3..39 (0 = pad, 1 = BOS, 2 = EOS).
    const tok: Tokenizer = {
      vocabSize: 40,
      bosId: 1,
      eosId: 2,
      specialIds: new Set([0, 1, 2]),
      encode: (text) => [...text].map((c) => 3 + (c.codePointAt(0)! % 37)),
      decode: (ids) => ids.map((i) => String.fromCharCode(i)).join(''),
      piece: (id) => String(id),
    };
    const soluDocs: CorpusDoc[] = ['the cat sat on the mat', 'def f(x): return x', 'zebras', 'solu neurons are sparse'].map(
      (text, index) => ({ index, text }),
    );
    const soluRunner = new OnnxRunner(solu, { intraOpNumThreads: 1 });
    const o = { contextLength: 8, batchSize: 3, k: 4, randomK: 2, randomDirections: 3, seed: 2 };
    const ranges = await calibrateNeuronRanges({ model: solu, runner: soluRunner, tokenizer: tok, docs: soluDocs, options: o });
    const wiki = await finalizeNeuronStats({
      model: solu,
      corpusSlug: 's',
      merged: await scanNeuronShard({ model: solu, runner: soluRunner, tokenizer: tok, docs: soluDocs, options: o, ranges }),
    });
    await soluRunner.dispose();
    expect(wiki.layers.map((l) => `${l.layer}.${l.site}`)).toEqual(['0.post', '0.pre', '0.mid', '1.post', '1.pre', '1.mid']);

    // Expected: the independent plain-TS forward on the same contexts (BOS + ≤ 7 tokens), BOS position excluded.
    const ref = new ReferenceRunner(solu);
    const contexts = soluDocs.flatMap((d) => {
      const ids = tok.encode(d.text);
      return Array.from({ length: Math.ceil(ids.length / 7) }, (_, c) => [1, ...ids.slice(c * 7, (c + 1) * 7)]);
    });
    for (const layer of wiki.layers) {
      const hook = siteHook(layer.layer, layer.site);
      const max = new Array(12).fill(-Infinity);
      const sum = new Array(12).fill(0);
      let count = 0;
      for (const ctx of contexts) {
        const t = (await ref.run([ctx], [hook])).get(hook)!;
        for (let p = 1; p < ctx.length; p++, count++) {
          for (let n = 0; n < 12; n++) {
            const v = t.data[p * 12 + n];
            max[n] = Math.max(max[n], v);
            sum[n] += v;
          }
        }
      }
      layer.neurons.forEach((nr, n) => {
        expect(nr.summary.stats.count).toBe(count);
        expect(Math.abs(nr.summary.stats.max - max[n])).toBeLessThan(1e-4);
        expect(Math.abs(nr.summary.stats.mean - sum[n] / count)).toBeLessThan(1e-4);
      });
    }
    // The three sites really differ: SoLU (mid) shrinks and reshapes pre, LayerNorm (post) rescales mid.
    const maxOf = (site: string) => wiki.layers.find((l) => l.layer === 0 && l.site === site)!.neurons.map((n) => n.summary.stats.max);
    expect(maxOf('mid')).not.toEqual(maxOf('pre'));
    expect(maxOf('post')).not.toEqual(maxOf('mid'));
  });
});

describe('random directions (open problem 6.31 baseline)', () => {
  it('are unit vectors, and project() is the plain matrix product', () => {
    const d = 5;
    const count = 6; // four accumulators + a remainder of two
    const dirs = randomDirections(d, count, 3);
    for (let r = 0; r < count; r++) {
      let norm = 0;
      for (let n = 0; n < d; n++) norm += dirs[n * count + r] ** 2;
      expect(norm).toBeCloseTo(1, 6);
    }
    const acts = Float32Array.from({ length: 2 + 3 * d }, (_, i) => Math.sin(i) * 2);
    const out = new Float32Array(3 * count);
    project(acts, 2, 3, d, transposeDirections(dirs, d, count), count, out);
    for (let p = 0; p < 3; p++) {
      for (let r = 0; r < count; r++) {
        let want = 0;
        for (let n = 0; n < d; n++) want += acts[2 + p * d + n] * dirs[n * count + r];
        expect(out[p * count + r]).toBeCloseTo(want, 5);
      }
    }
  });
});
