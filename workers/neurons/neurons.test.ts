import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { buildPlantedNeuronModel, charId } from '@/lib/testing/planted-neurons';
import { calibrateNeuronRanges, mergeNeuronShards, scanNeuronShard } from './scan';
import { compareDatasets, finalizeNeuronStats } from './finalize';
import { findMinimalExamples } from './minimal-examples';
import type { CorpusDoc } from './contexts';

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
    const wiki = finalizeNeuronStats({ model, corpusSlug: 'test', merged });
    expect(wiki.layers).toHaveLength(1);
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
    expect(n1.effects.inputTop.slice(0, 2).map((t) => t.token).sort()).toEqual([charId('q'), charId('z')].sort());

    // Baseline: one entry per random direction.
    expect(wiki.layers[0].baseline.max.values).toHaveLength(6);

    // A neuron that reads the current character needs one token: every minimal suffix has length 1.
    const minimal = await findMinimalExamples(runner, [{ layer: 0, site: 'post', neuron: 0, examples: n0.summary.top }], { bosId: tokenizer.bosId });
    expect(minimal[0].map((m) => m.length)).toEqual(n0.summary.top.map(() => 1));
    expect(minimal[0].every((m) => m.value === 4)).toBe(true);
  });

  it('merges shards to the single-pass result', async () => {
    const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs, options });
    const whole = mergeNeuronShards([await scan(docs, ranges)]);
    const parts = mergeNeuronShards([await scan(docs.slice(4), ranges), await scan(docs.slice(0, 2), ranges), await scan(docs.slice(2, 4), ranges)]);
    const wa = finalizeNeuronStats({ model, corpusSlug: 't', merged: whole });
    const wb = finalizeNeuronStats({ model, corpusSlug: 't', merged: JSON.parse(JSON.stringify(parts)) });
    expect(JSON.stringify(wb)).toBe(JSON.stringify(wa));
  });

  it('warns when a neuron fires on different tokens in two datasets', async () => {
    const a: CorpusDoc[] = ['quiet quokka', 'six xenon axes'].map((text, index) => ({ index, text }));
    const b: CorpusDoc[] = ['zany zebra zone', 'fox box'].map((text, index) => ({ index, text }));
    const wikiOf = async (d: CorpusDoc[], slug: string) => {
      const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs: d, options });
      return finalizeNeuronStats({ model, corpusSlug: slug, merged: await scan(d, ranges) });
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
