import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../../engine/reference';
import { buildPlantedModel } from '../../testing/planted-models';
import type { HeadMetricContext } from './types';
import { previousTokenMetric } from './previous-token';
import { detectorTokens } from './detect-head';

const plantedTexts = [
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
  texts: plantedTexts,
  seed: 0,
};
const lengths = detectorTokens(planted.tokenizer, plantedTexts, planted.model.cfg.n_ctx).map((t) => t.length);
const meanOverTexts = (f: (seqLen: number) => number) => lengths.reduce((s, L) => s + f(L), 0) / lengths.length;

describe('previous_token on the planted model (reference forward)', () => {
  it('ranks exactly the planted head L0H1 first, at a perfect head’s score; every other head is low', async () => {
    // The first text is cut to 127 tokens (n_ctx 128 − 1): lengths with BOS.
    expect(lengths).toEqual([127, 82, 13]);
    const scores = await previousTokenMetric.compute(ctx);
    const flat = scores.flatMap((row, layer) => row.map((value, head) => ({ layer, head, value }))).sort((a, b) => b.value - a.value);
    expect([flat[0].layer, flat[0].head]).toEqual([0, 1]);
    // A perfect head: all attention on i − 1 except position 0, which can only attend to itself.
    expect(scores[0][1]).toBeCloseTo(
      meanOverTexts((L) => (L - 1) / L),
      5,
    );
    expect(scores[0][1]).toBeCloseTo(0.967669, 5);
    for (const other of flat.slice(1)) expect(other.value).toBeLessThan(0.1);
  });

  it('scores uniform heads exactly as uniform causal attention: Σ_{i≥1} 1/(i+1) / seq_len', async () => {
    const scores = await previousTokenMetric.compute(ctx);
    const uniform = meanOverTexts((L) => {
      let s = 0;
      for (let i = 1; i < L; i++) s += 1 / (i + 1);
      return s / L;
    });
    expect(uniform).toBeCloseTo(0.083736, 6);
    for (const [l, h] of [
      [0, 0],
      [1, 0],
      [1, 2],
    ])
      expect(scores[l][h]).toBeCloseTo(uniform, 6);
  });

  it('names a text that is empty', async () => {
    const bad = { ...ctx, texts: ['fine text', ''] };
    await expect(previousTokenMetric.compute(bad)).rejects.toThrow(
      /text 1 \(""\) is 1 tokens with BOS; pattern detectors need 1 < seq_len < n_ctx \(128\)/,
    );
  });
});
