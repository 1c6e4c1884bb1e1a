import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../engine/reference';
import type { CanonicalModel } from '../models/types';
import {
  addNoise,
  asciiTokenizer,
  changeHeadAttention,
  copyModel,
  removeHeadOutput,
  scaleNeuronOutput,
  smallRandomModel,
} from '../testing/diff-fixtures';
import { prepareDiffModel } from './model';
import { computeWeightDiff } from './weight-diff';

const tok = asciiTokenizer();
const base = smallRandomModel(tok.vocabSize, 1);
const side = (slug: string, m: CanonicalModel) => prepareDiffModel(slug, m, tok, { runner: (p) => new ReferenceRunner(p) });
const diff = async (b: CanonicalModel) => computeWeightDiff(await side('a', base), await side('b', b));
const ranking = (d: Awaited<ReturnType<typeof diff>>, kind: string) => d.rankings.find((r) => r.kind === kind)!;

describe('weight diff', () => {
  it('an identical copy gives exactly zero for every component (after TransformerLens processing on both)', async () => {
    const d = await diff(copyModel(base));
    expect(d.weightProcessing.fold_ln).toBe(true);
    expect(d.relative).toBe(0);
    for (const r of d.rankings) {
      expect(r.identical).toBe(r.count);
      expect(r.relative).toBe(0);
      for (const e of r.top) expect([e.diffNorm, e.relative]).toEqual([0, 0]);
    }
  });

  it('a removed head output tops W_O with relative norm 1; nothing else changed', async () => {
    const d = await diff(removeHeadOutput(base, 1, 2));
    const wo = ranking(d, 'W_O');
    expect(wo.top[0]).toMatchObject({ layer: 1, index: 2, normB: 0, relative: 1 });
    expect(wo.identical).toBe(wo.count - 1);
    // fold_value_biases moves b_V · W_O into b_O: the layer's b_O changes with W_O (and nothing else does).
    expect(
      ranking(d, 'bias')
        .top.filter((e) => e.diffNorm > 0)
        .map((e) => e.weight),
    ).toEqual(['blocks.1.attn.b_O']);
    for (const r of d.rankings) if (r.kind !== 'W_O' && r.kind !== 'bias') expect(r.identical, r.kind).toBe(r.count);
  });

  it('a scaled neuron output tops W_out with relative |factor − 1|', async () => {
    const d = await diff(scaleNeuronOutput(base, 0, 17, 3));
    expect(ranking(d, 'W_out').top[0]).toMatchObject({ layer: 0, index: 17 });
    expect(ranking(d, 'W_out').top[0].relative).toBeCloseTo(2, 5);
    expect(ranking(d, 'W_out').top[1].relative).toBe(0);
  });

  it('a head whose attention changed tops W_Q; its W_K, W_V, W_O are untouched', async () => {
    const d = await diff(changeHeadAttention(base, 0, 3));
    expect(ranking(d, 'W_Q').top[0]).toMatchObject({ layer: 0, index: 3 });
    expect(ranking(d, 'W_Q').top[1].relative).toBe(0);
    for (const k of ['W_K', 'W_V', 'W_O']) expect(ranking(d, k).identical).toBe(ranking(d, k).count);
  });

  it('small noise everywhere shows in every kind at about its level, and a removed head still tops W_O above it', async () => {
    const d = await diff(removeHeadOutput(addNoise(base, 1e-3), 0, 1));
    expect(d.relative).toBeGreaterThan(2e-4);
    // Only b_V is zero on both sides (fold_value_biases moved it into b_O).
    for (const r of d.rankings) expect(r.identical, r.kind).toBe(r.kind === 'bias' ? 2 : 0);
    expect(ranking(d, 'W_O').top[0]).toMatchObject({ layer: 0, index: 1 });
    expect(ranking(d, 'W_O').top[1].relative!).toBeLessThan(0.01);
    expect(d.layers.find((l) => l.layer === 0 && l.kind === 'W_O')!.relative!).toBeGreaterThan(0.3);
  });

  it('refuses models of different shapes', async () => {
    const other = smallRandomModel(tok.vocabSize, 1, { d_mlp: 40 });
    await expect(diff(other)).rejects.toThrow(/same architecture: b? ?.*d_mlp/);
  });
});

describe('diff options', () => {
  it('are bounded, with errors naming the option', async () => {
    const { resolveDiffOptions } = await import('./model');
    expect(resolveDiffOptions({}).topK).toBe(20);
    expect(() => resolveDiffOptions({ topK: 10 ** 6 })).toThrow(/topK must be an integer in 0\.\.1000/);
    expect(() => resolveDiffOptions({ contextLength: 1 })).toThrow(/contextLength/);
    expect(() => resolveDiffOptions({ batchSize: 1.5 })).toThrow(/batchSize/);
  });

  it('the white-box batch shrinks to keep both models’ hooks within a gigabyte', async () => {
    const { whiteBoxBatchSize, whiteBoxBytesPerWindow } = await import('./activation-diff');
    const gpt2Small = { ...base.cfg, n_layers: 12, n_heads: 12, d_model: 768, d_mlp: 3072 };
    // 12 layers × 128 positions × (12 heads × (768 + 128) + 3 × 768 + 3072) floats × 4 bytes × 2 models.
    expect(whiteBoxBytesPerWindow(gpt2Small, 128)).toBe(12 * 128 * 16128 * 8);
    expect(whiteBoxBatchSize(gpt2Small, 64, 128)).toBe(5);
    expect(whiteBoxBatchSize(gpt2Small, 2, 128)).toBe(2);
    expect(whiteBoxBatchSize(base.cfg, 64, 64)).toBe(64);
  });
});
