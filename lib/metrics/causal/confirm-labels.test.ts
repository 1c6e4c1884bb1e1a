import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { buildPlantedModel } from '../../testing/planted-models';
import type { HeadMetricContext } from '../heads/types';
import { previousTokenMetric } from '../heads/previous-token';
import { duplicateTokenMetric } from '../heads/duplicate-token';
import { inductionMetric } from '../heads/induction';
import { copyingFullMetric } from '../heads/copying-full';
import { ablateHeads } from './ablate';
import { confirmLabels, strongestLaterInduction } from './confirm-labels';

const texts = [
  'The cat sat on the mat. The dog sat on the log. The cat and the dog were friends.',
  'abcabcabcabc',
  'Once upon a time there was a girl who liked to read books. She read books about the sea.',
];

describe('ablateHeads', () => {
  it("zero-ablation zeroes the head's W_O slice only, on a copy; mean-ablation moves mean(z)·W_O into b_O", () => {
    const { model } = buildPlantedModel();
    const { d_head: dh, d_model: d } = model.cfg;
    const original = model.weights.get('blocks.0.attn.W_O')!.data;
    const zeroed = ablateHeads(model, [{ layer: 0, head: 1, kind: 'zero' }]);
    const WO = zeroed.weights.get('blocks.0.attn.W_O')!.data;
    expect(WO.subarray(dh * d, 2 * dh * d).every((v) => v === 0)).toBe(true);
    expect(original.subarray(dh * d, 2 * dh * d).some((v) => v !== 0)).toBe(true);
    const meanZ = new Float64Array(dh);
    meanZ[3] = 2; // head dim 3 writes PREV + 3
    const meaned = ablateHeads(model, [{ layer: 0, head: 1, kind: 'mean', meanZ }]);
    const bO = meaned.weights.get('blocks.0.attn.b_O')!.data;
    expect(bO[192 + 3]).toBe(2);
    expect(bO.reduce((s, v) => s + Math.abs(v), 0)).toBe(2);
    expect(() => ablateHeads(model, [{ layer: 2, head: 0, kind: 'zero' }])).toThrow(/not a head/);
  });
});

describe('causal confirmation on the planted model', () => {
  it('claims exactly the planted heads and confirms those whose output matters', async () => {
    const planted = buildPlantedModel({ copyingHead: true });
    const runner = new OnnxRunner(planted.model);
    const ctx: HeadMetricContext = {
      cfg: planted.model.cfg,
      weights: planted.model.weights,
      runner,
      tokenizer: planted.tokenizer,
      texts,
      seed: 0,
    };
    const scores: Record<string, number[][]> = {};
    for (const m of [previousTokenMetric, duplicateTokenMetric, inductionMetric, copyingFullMetric]) scores[m.id] = await m.compute(ctx);
    const labels = await confirmLabels({ model: planted.model, tokenizer: planted.tokenizer, runner, texts, seed: 0, scores });
    const summary = labels.map((l) => `${l.label}:L${l.layer}H${l.head}:${l.status}`).sort();
    expect(summary).toEqual([
      'copying:L1H1:confirmed',
      'copying:L1H2:confirmed',
      // L0H2 attends to duplicates but writes nothing: ablating it changes nothing.
      'duplicate_token:L0H2:not_confirmed',
      'induction:L1H1:confirmed',
      'previous_token:L0H1:confirmed',
    ]);
    const prev = labels.find((l) => l.label === 'previous_token')!;
    // Without L0H1's output, L1H1's keys carry no previous token: its induction score falls from ≈ 1 to ≈ uniform.
    expect(prev.effect).toBeGreaterThan(0.9);
    expect(prev.detail).toMatch(/^Ablating it moves L1H1's induction score from 0\.9\d+ to 0\.0\d+/);
    const induction = labels.find((l) => l.label === 'induction')!;
    expect(induction.effect).toBeGreaterThan(3);
    expect(labels.find((l) => l.label === 'duplicate_token')!.effect).toBe(0);
    expect(labels.find((l) => l.label === 'copying' && l.head === 2)!.effect).toBeGreaterThan(5);
  });
});

describe('a previous-token head in a model without an induction head', () => {
  it('is untestable (nothing can drop), not "not confirmed"', async () => {
    // L0H1 still attends to the previous token but writes nothing, so L1H1 finds no induction stripe.
    const planted = buildPlantedModel({ ablatePreviousTokenOV: true });
    const runner = new OnnxRunner(planted.model);
    const ctx: HeadMetricContext = {
      cfg: planted.model.cfg,
      weights: planted.model.weights,
      runner,
      tokenizer: planted.tokenizer,
      texts,
      seed: 0,
    };
    const scores: Record<string, number[][]> = {};
    for (const m of [previousTokenMetric, duplicateTokenMetric, inductionMetric, copyingFullMetric]) scores[m.id] = await m.compute(ctx);
    expect(Math.max(...scores.induction[1])).toBeLessThan(0.05);
    const labels = await confirmLabels({ model: planted.model, tokenizer: planted.tokenizer, runner, texts, seed: 0, scores });
    const prev = labels.find((l) => l.label === 'previous_token' && l.layer === 0 && l.head === 1)!;
    expect(prev.status).toBe('untestable');
    expect(prev.effect).toBeNull();
    expect(prev.detail).toMatch(/No later head is an induction head .*L1H\d's 0\.0\d+, cannot drop by 0\.05/);
  });

  it('strongestLaterInduction looks only at later layers', () => {
    expect(
      strongestLaterInduction(
        [
          [0.9, 0.8],
          [0.01, 0.03],
          [0.02, 0],
        ],
        0,
      ),
    ).toEqual({ name: 'L1H1', score: 0.03 });
    expect(strongestLaterInduction([[0.9], [0.5]], 1).score).toBe(-Infinity);
  });
});
