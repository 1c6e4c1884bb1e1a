import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../engine/reference';
import type { CanonicalModel } from '../models/types';
import type { Tokenizer } from '../tokenizers/types';
import { directLogitAttribution } from '../metrics/heads/direct-logit-attribution';
import { buildPlantedModel } from '../testing/planted-models';
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
import { computeWhiteBoxPartial, mergeWhiteBoxPartials } from './activation-diff';
import { finalizeWhiteBox } from './white-box';
import { computeWeightDiff } from './weight-diff';
import { computePatchingDiff } from './patching';
import type { DiffModel, WhiteBoxDiff } from './types';

const tok = asciiTokenizer();
const base = smallRandomModel(tok.vocabSize, 1);
const corpus = [
  'the cat sat on the mat and the dog sat too',
  'xx marks the spot',
  'once upon a time',
  'a b c d e f g h i j k l m n o p q r s t u v w x y z',
];
const onnx = (slug: string, m: CanonicalModel, t: Tokenizer = tok) => prepareDiffModel(slug, m, t);
const ref = (slug: string, m: CanonicalModel, t: Tokenizer = tok) =>
  prepareDiffModel(slug, m, t, { runner: (p) => new ReferenceRunner(p) });

async function whiteBox(a: DiffModel, b: DiffModel, documents = corpus): Promise<WhiteBoxDiff> {
  const partial = await computeWhiteBoxPartial(a, b, { firstDocument: 0, documents }, { contextLength: 16, batchSize: 3, topK: 50 });
  return finalizeWhiteBox(partial, { weights: computeWeightDiff(a, b) });
}
const site = (d: WhiteBoxDiff, s: string) => d.activations.find((r) => r.site === s)!;

describe('white-box diff: activations and DLA', () => {
  it('an identical copy gives exactly zero at every hook and every DLA entry (ONNX)', async () => {
    const d = await whiteBox(await onnx('a', base), await onnx('b', copyModel(base)));
    expect(d.positions).toBeGreaterThan(50);
    expect(d.activations.map((r) => r.site).sort()).toEqual([
      'attn.hook_pattern',
      'attn.hook_result',
      'hook_attn_out',
      'hook_mlp_out',
      'hook_resid_post',
      'mlp.hook_post',
    ]);
    for (const r of d.activations) {
      expect(r.identical, r.site).toBe(r.units);
      for (const e of r.top) expect(e.meanDiff).toBe(0);
    }
    for (const e of d.dla.entries) expect(e.diff).toBe(0);
  });

  it('a removed head output tops the per-head output ranking (relative 1); heads before it are exactly unchanged', async () => {
    const d = await whiteBox(await onnx('a', base), await onnx('b', removeHeadOutput(base, 1, 2)));
    const result = site(d, 'attn.hook_result');
    expect(result.top[0]).toMatchObject({ layer: 1, index: 2, meanNormB: 0 });
    expect(result.top[0].relative).toBeCloseTo(1, 12);
    expect(result.identical).toBe(result.units - 1);
    expect(site(d, 'attn.hook_pattern').identical).toBe(site(d, 'attn.hook_pattern').units);
    const dlaHead = d.dla.entries.find((e) => e.component === 'head' && e.layer === 1 && e.head === 2)!;
    expect(dlaHead.dlaB).toBe(0);
  });

  it('a head whose attention changed tops the pattern ranking; every other head attends exactly as before', async () => {
    const d = await whiteBox(await onnx('a', base), await onnx('b', changeHeadAttention(base, 1, 0)));
    const pattern = site(d, 'attn.hook_pattern');
    expect(pattern.top[0]).toMatchObject({ layer: 1, index: 0 });
    expect(pattern.top[0].meanDiff).toBeGreaterThan(0.05);
    expect(pattern.identical).toBe(pattern.units - 1);
    expect(site(d, 'attn.hook_result').top[0]).toMatchObject({ layer: 1, index: 0 });
  });

  it('a scaled neuron output tops its layer’s MLP output; no neuron’s activation changes (it is the last layer)', async () => {
    const d = await whiteBox(await onnx('a', base), await onnx('b', scaleNeuronOutput(base, 1, 5, 3)));
    expect(site(d, 'mlp.hook_post').identical).toBe(site(d, 'mlp.hook_post').units);
    expect(site(d, 'hook_mlp_out').top[0]).toMatchObject({ layer: 1, index: null });
    expect(site(d, 'hook_mlp_out').identical).toBe(1);
    // And a scaled first-layer neuron changes later neurons, never earlier ones: layer 0's neurons stay identical.
    const d0 = await whiteBox(await onnx('a', base), await onnx('b', scaleNeuronOutput(base, 0, 5, 3)));
    expect(site(d0, 'mlp.hook_post').identical).toBeGreaterThanOrEqual(base.cfg.d_mlp);
    expect(
      site(d0, 'mlp.hook_post')
        .top.filter((e) => e.meanDiff > 0)
        .every((e) => e.layer === 1),
    ).toBe(true);
  });

  it('small noise everywhere: every unit differs, by little', async () => {
    const d = await whiteBox(await onnx('a', base), await onnx('b', addNoise(base, 1e-3)));
    for (const r of d.activations) expect(r.identical, r.site).toBe(0);
    expect(site(d, 'hook_resid_post').top[0].relative!).toBeLessThan(0.05);
  });

  it('matches the reference forward, and shards merge to the same bits', async () => {
    const [a, b] = [await ref('a', base), await ref('b', addNoise(base, 0.05))];
    const whole = await whiteBox(a, b);
    const viaOnnx = await whiteBox(await onnx('a', base), await onnx('b', addNoise(base, 0.05)));
    whole.activations.forEach((r, i) =>
      r.top.slice(0, 5).forEach((e, j) => expect(viaOnnx.activations[i].top[j].meanDiff).toBeCloseTo(e.meanDiff, 4)),
    );
    whole.dla.entries.forEach((e, i) => expect(viaOnnx.dla.entries[i].diff).toBeCloseTo(e.diff, 4));
    const opts = { contextLength: 16, batchSize: 3, topK: 50 };
    const parts = [
      await computeWhiteBoxPartial(a, b, { firstDocument: 0, documents: corpus.slice(0, 1) }, opts),
      await computeWhiteBoxPartial(a, b, { firstDocument: 1, documents: corpus.slice(1, 3) }, opts),
      await computeWhiteBoxPartial(a, b, { firstDocument: 3, documents: corpus.slice(3) }, opts),
    ].map((p) => JSON.parse(JSON.stringify(p)));
    const merged = finalizeWhiteBox(mergeWhiteBoxPartials([parts[2], parts[0], parts[1]]), { weights: computeWeightDiff(a, b) });
    expect(merged).toEqual(whole);
    expect(() => mergeWhiteBoxPartials([parts[0], parts[0]])).toThrow(/in two partials/);
  });
});

describe('white-box diff on the planted attention model: DLA and patching', () => {
  const planted = buildPlantedModel();
  const broken = removeHeadOutput(planted.model, 1, 1); // the induction head writes nothing
  // Repeated text: the induction head predicts every token after the first copy.
  const repeated = 'kq7#vz@m2w'.repeat(5);

  it('removing the induction head’s output: its DLA difference tops the ranking, and A’s DLA equals the metric’s', async () => {
    const [a, b] = [await onnx('full', planted.model, planted.tokenizer), await onnx('broken', broken, planted.tokenizer)];
    const partial = await computeWhiteBoxPartial(
      a,
      b,
      { firstDocument: 0, documents: ['no repeats here at all', repeated] },
      { contextLength: 64 },
    );
    const d = finalizeWhiteBox(partial, { weights: computeWeightDiff(a, b) });
    const topHead = d.dla.top.find((e) => e.component === 'head')!;
    expect(topHead).toMatchObject({ layer: 1, head: 1, dlaB: 0 });
    expect(topHead.dlaA).toBeGreaterThan(1);
    // Per text: the repeated one differs most, at the induction head.
    expect(d.dla.texts[0]).toMatchObject({ document: 1, component: 'head', layer: 1, head: 1, text: repeated, positions: repeated.length });
    expect(d.dla.texts.length).toBe(2);
    const metric = await directLogitAttribution(new ReferenceRunner(a.model), a.model.cfg, a.model.weights, [
      planted.tokenizer.encode('no repeats here at all', { bos: true }),
      planted.tokenizer.encode(repeated, { bos: true }),
    ]);
    for (const e of d.dla.entries.filter((x) => x.component === 'head')) expect(e.dlaA).toBeCloseTo(metric[e.layer][e.head!], 3);
  });

  it('patching the full model into the broken one: the induction head carries the whole improvement, identical heads none', async () => {
    for (const make of [onnx, ref]) {
      const [a, b] = [await make('broken', broken, planted.tokenizer), await make('full', planted.model, planted.tokenizer)];
      const p = await computePatchingDiff(a, b, repeated);
      expect(p.source).toBe('b');
      expect(p.receiverLoss - p.sourceLoss).toBeGreaterThan(0.5);
      expect(p.components[0]).toMatchObject({ component: 'head', layer: 1, head: 1 });
      expect(p.components[0].recovered).toBeCloseTo(1, 3);
      for (const c of p.components.slice(1)) expect(c.recovered).toBe(0);
      expect(p.allPatchedLoss).toBeCloseTo(p.sourceLoss, 3);
    }
  });
});
