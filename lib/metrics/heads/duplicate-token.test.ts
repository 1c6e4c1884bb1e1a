import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../../engine/reference';
import { buildPlantedModel } from '../../testing/planted-models';
import type { HeadMetricContext } from './types';
import { duplicateTokenMetric } from './duplicate-token';
import { detectorTokens } from './detect-head';

const texts = [
  'Once upon a time, there was a little girl named Lily. She liked to play outside with her friends in the park every day. One day she found a shiny red ball under a big tree.',
  'The cat sat on the mat. The dog sat on the log. The cat and the dog were friends.',
  'abcabcabcabc',
];

const planted = buildPlantedModel();
const ctx: HeadMetricContext = {
  cfg: planted.model.cfg,
  weights: planted.model.weights,
  runner: new ReferenceRunner(planted.model),
  tokenizer: planted.tokenizer,
  texts,
  seed: 0,
};
const sequences = detectorTokens(planted.tokenizer, texts, planted.model.cfg.n_ctx);
const meanOverTexts = (f: (tokens: number[]) => number) => sequences.reduce((s, t) => s + f(t), 0) / sequences.length;

describe('duplicate_token on the planted model (reference forward)', () => {
  it('ranks exactly the planted head L0H2 first, at a perfect head’s score; every other head is low', async () => {
    const scores = await duplicateTokenMetric.compute(ctx);
    const flat = scores.flatMap((row, layer) => row.map((value, head) => ({ layer, head, value }))).sort((a, b) => b.value - a.value);
    expect([flat[0].layer, flat[0].head]).toEqual([0, 2]);
    // A perfect head puts all attention on earlier copies when there are any, so it scores the share of
    // positions whose token occurred before (rows without one still count in Σ A).
    const ideal = meanOverTexts((t) => t.filter((tok, i) => t.slice(0, i).includes(tok)).length / t.length);
    expect(scores[0][2]).toBeCloseTo(ideal, 4);
    expect(scores[0][2]).toBeCloseTo(0.742644, 5);
    for (const other of flat.slice(1)) expect(other.value).toBeLessThan(0.1);
  });

  it('scores uniform heads exactly: Σ_i (earlier copies of tok[i]) / (i+1) / seq_len', async () => {
    const scores = await duplicateTokenMetric.compute(ctx);
    const uniform = meanOverTexts(
      (t) => t.reduce((s, tok, i) => s + t.slice(0, i).filter((x) => x === tok).length / (i + 1), 0) / t.length,
    );
    expect(uniform).toBeCloseTo(0.097356, 6);
    for (const [l, h] of [
      [0, 0],
      [1, 0],
      [1, 2],
    ])
      expect(scores[l][h]).toBeCloseTo(uniform, 6);
  });

  it('the previous-token and induction heads are not duplicate-token heads', async () => {
    const scores = await duplicateTokenMetric.compute(ctx);
    expect(scores[0][1]).toBeLessThan(0.01);
    expect(scores[1][1]).toBeLessThan(0.01);
  });
});
