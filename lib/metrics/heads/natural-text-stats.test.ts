import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { buildPlantedModel } from '../../testing/planted-models';
import type { HeadMetricContext } from './types';
import { detectorTokens } from './detect-head';
import { selfAttentionMetric } from './self-attention';
import { previousTokenNaturalMetric } from './previous-token-natural';
import { attentionEntropyMetric } from './attention-entropy';
import { attentionDistanceMeanMetric } from './attention-distance-mean';
import { attentionDistanceVarianceMetric } from './attention-distance-variance';
import { inductionNaturalMetric } from './induction-natural';
import { prefixMatchingMetric, prefixMatchingScore, repeatedKTimes } from './prefix-matching';

const texts = [
  'The cat sat on the mat. The dog sat on the log. The cat and the dog were friends.',
  'abcabcabcabc',
  'Once upon a time there was a girl who liked to read books about the sea and the stars.',
];
const planted = buildPlantedModel();
const ctx: HeadMetricContext = {
  cfg: planted.model.cfg,
  weights: planted.model.weights,
  runner: new OnnxRunner(planted.model),
  tokenizer: planted.tokenizer,
  texts,
  seed: 3,
};
const sequences = detectorTokens(planted.tokenizer, texts, planted.model.cfg.n_ctx);
/** The mean over all query positions q ≥ 1 of all texts of f(q). */
const overQueries = (f: (q: number) => number) => {
  let sum = 0;
  let count = 0;
  for (const s of sequences) for (let q = 1; q < s.length; q++, count++) sum += f(q);
  return sum / count;
};
const UNIFORM = [
  [0, 0],
  [1, 0],
  [1, 2],
];

describe('natural-text attention statistics on the planted model', () => {
  it('a previous-token head: A[q, q−1] ≈ 1, distance 1, variance 0, entropy 0, self-attention 0', async () => {
    const [prev, dist, vari, ent, self] = await Promise.all(
      [
        previousTokenNaturalMetric,
        attentionDistanceMeanMetric,
        attentionDistanceVarianceMetric,
        attentionEntropyMetric,
        selfAttentionMetric,
      ].map((m) => m.compute(ctx)),
    );
    expect(prev[0][1]).toBeGreaterThan(0.999);
    expect(dist[0][1]).toBeCloseTo(1, 3);
    expect(vari[0][1]).toBeCloseTo(0, 3);
    expect(ent[0][1]).toBeCloseTo(0, 2);
    expect(self[0][1]).toBeLessThan(1e-3);
    // Only L0H1 is a previous-token head.
    const ranked = prev.flatMap((r, l) => r.map((v, h) => ({ l, h, v }))).sort((a, b) => b.v - a.v);
    expect(ranked[1].v).toBeLessThan(0.3);
  });

  it('uniform heads match closed forms: self 1/(q+1), entropy ln(q+1), distance q/2, variance q(q+2)/12', async () => {
    const self = await selfAttentionMetric.compute(ctx);
    const ent = await attentionEntropyMetric.compute(ctx);
    const dist = await attentionDistanceMeanMetric.compute(ctx);
    const vari = await attentionDistanceVarianceMetric.compute(ctx);
    for (const [l, h] of UNIFORM) {
      expect(self[l][h]).toBeCloseTo(
        overQueries((q) => 1 / (q + 1)),
        5,
      );
      expect(ent[l][h]).toBeCloseTo(
        overQueries((q) => Math.log(q + 1)),
        4,
      );
      expect(dist[l][h]).toBeCloseTo(
        overQueries((q) => q / 2),
        3,
      );
      expect(vari[l][h] / overQueries((q) => (q * (q + 2)) / 12)).toBeCloseTo(1, 4);
    }
  });

  it('natural-text induction: ≈ 1 for the induction head L1H1; uniform heads match the closed form with the 0.01 floor', async () => {
    const ind = await inductionNaturalMetric.compute(ctx);
    expect(ind[1][1]).toBeGreaterThan(0.95);
    let numerator = 0;
    let repeats = 0;
    for (const s of sequences) {
      for (let q = 1; q < s.length; q++) {
        if (s.slice(0, q).includes(s[q])) repeats++;
        let targets = 0;
        for (let j = 1; j <= q; j++) if (s[j - 1] === s[q]) targets++;
        if (1 / (q + 1) >= 0.01) numerator += targets / (q + 1);
      }
    }
    for (const [l, h] of UNIFORM) expect(ind[l][h]).toBeCloseTo(numerator / repeats, 5);
    for (const [l, h] of [
      [0, 1],
      [0, 2],
    ])
      expect(ind[l][h]).toBeLessThan(0.05);
  });
});

describe('prefix matching (k = 3 copies)', () => {
  it('a perfect prefix-matching pattern scores 1; attention at the wrong offset scores 0', () => {
    const n = 3;
    const k = 3;
    const seq = k * n + 1;
    const perfect = new Float64Array(seq * seq);
    const wrong = new Float64Array(seq * seq);
    for (let d = 0; d < seq; d++) {
      const targets: number[] = [];
      for (let e = d - n; e >= 1; e -= n) targets.push(e + 1);
      if (targets.length === 0) perfect[d * seq] = 1;
      for (const t of targets) perfect[d * seq + t] = 1 / targets.length;
      wrong[d * seq + Math.max(0, d - 1)] = 1;
    }
    expect(prefixMatchingScore(perfect, seq, n, k)).toBeCloseTo(1, 12);
    expect(prefixMatchingScore(wrong, seq, n, k)).toBe(0);
    expect(() => prefixMatchingScore(perfect, seq, n, 2)).toThrow(/not k·n \+ 1/);
  });

  it('the planted model: the induction head ≈ 1; uniform heads the closed form Σ 1/(d+1) over targets', async () => {
    const scores = await prefixMatchingMetric.compute(ctx);
    expect(scores[1][1]).toBeGreaterThan(0.95);
    const { nTokens: n } = repeatedKTimes(ctx, 3, 50, 1);
    let uniform = 0;
    for (let d = n + 1; d <= 3 * n; d++) for (let e = d - n; e >= 1; e -= n) uniform += 1 / (d + 1);
    uniform /= 2 * n;
    for (const [l, h] of UNIFORM) expect(scores[l][h]).toBeCloseTo(uniform, 5);
    expect(scores[0][1]).toBeLessThan(0.02);
    expect(scores[0][2]).toBeLessThan(0.02);
  });
});
