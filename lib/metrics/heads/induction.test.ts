import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../../engine/reference';
import { buildPlantedModel, type PlantedModel } from '../../testing/planted-models';
import type { HeadMetricContext } from './types';
import { inductionMetric, inductionStripeScore, tlInductionStripeScore } from './induction';
import { inductionTlMetric } from './induction-tl';
import { repeatedRandomTokens } from './repeated-tokens';

describe('induction stripes on a hand-written pattern', () => {
  // [BOS, a, b, a, b]: n = 2, seq 5. Rows sum to 1.
  const A = [1, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0.2, 0.3, 0.5, 0, 0, 0.1, 0.1, 0.7, 0.1, 0, 0.1, 0.1, 0.1, 0.6, 0.1];
  it('exact: mean of A[d, d − n + 1] over d ∈ [n+1, 2n]', () => {
    // A[3, 2] = 0.7, A[4, 3] = 0.6
    expect(inductionStripeScore(A, 5, 2)).toBeCloseTo(0.65, 12);
  });
  it('TransformerLens demo: mean of diagonal(1 − n), two non-induction entries included', () => {
    // A[1,0] 0.5, A[2,1] 0.3, A[3,2] 0.7, A[4,3] 0.6
    expect(tlInductionStripeScore(A, 5, 2)).toBeCloseTo(0.525, 12);
  });
  it('rejects a pattern that is not [BOS] + r + r', () => {
    expect(() => inductionStripeScore(A, 5, 3)).toThrow(/seq_len 5 is not 2n \+ 1 for n = 3/);
    expect(() => tlInductionStripeScore(A.slice(1), 5, 2)).toThrow(/24 entries; expected 5² = 25/);
  });
});

/** (layer, head, value) of every head, best first. */
const ranked = (v: number[][]) =>
  v.flatMap((row, layer) => row.map((value, head) => ({ layer, head, value }))).sort((a, b) => b.value - a.value);

const contextFor = (p: PlantedModel, seed = 0): HeadMetricContext => ({
  cfg: p.model.cfg,
  weights: p.model.weights,
  runner: new ReferenceRunner(p.model),
  tokenizer: p.tokenizer,
  texts: ['unused by the induction metrics'],
  seed,
});

// A uniform causal head puts 1/(q+1) on every key.
const n = 50;
const uniformExact = Array.from({ length: n }, (_, i) => 1 / (n + 1 + i + 1)).reduce((a, b) => a + b) / n;
const uniformTl = Array.from({ length: n + 2 }, (_, i) => 1 / (n - 1 + i + 1)).reduce((a, b) => a + b) / (n + 2);

describe('induction metrics on the planted model (reference forward)', () => {
  const planted = buildPlantedModel();
  const ctx = contextFor(planted);
  let exact: number[][];
  let tl: number[][];
  beforeAll(async () => {
    exact = await inductionMetric.compute(ctx);
    tl = await inductionTlMetric.compute(ctx);
  });

  it('ranks exactly the planted induction head L1H1 first, at the ideal score', () => {
    const [top, second] = ranked(exact);
    expect([top.layer, top.head]).toEqual([1, 1]);
    // Ideal: the head splits its attention evenly over every j with tok[j−1] = tok[d]; random tokens that
    // repeat inside r (rare with 2046 ids) dilute it below 1.
    const { tokens } = repeatedRandomTokens({ tokenizer: planted.tokenizer, dVocab: 2048, nCtx: 128, seed: 0 });
    let ideal = 0;
    for (const t of tokens) {
      for (let d = n + 1; d <= 2 * n; d++) {
        let matches = 0;
        for (let j = 1; j <= d; j++) if (t[j - 1] === t[d]) matches++;
        ideal += 1 / matches;
      }
    }
    ideal /= tokens.length * n;
    expect(ideal).toBeCloseTo(0.986, 6);
    expect(top.value).toBeCloseTo(ideal, 5);
    expect(second.value).toBeLessThan(0.02);
  });

  it('scores the uniform heads exactly as uniform attention, and the other planted heads ≈ 0', () => {
    for (const [l, h] of [
      [0, 0],
      [1, 0],
      [1, 2],
    ]) {
      expect(exact[l][h]).toBeCloseTo(uniformExact, 6);
      expect(tl[l][h]).toBeCloseTo(uniformTl, 6);
    }
    expect(uniformExact).toBeCloseTo(0.013569, 6);
    expect(exact[0][1]).toBeLessThan(1e-6); // previous-token head looks at d − 1
    expect(exact[0][2]).toBeLessThan(1e-6); // duplicate-token head looks at d − n
  });

  it('the TransformerLens variant is lower by its two non-induction entries', () => {
    const [top] = ranked(tl);
    expect([top.layer, top.head]).toEqual([1, 1]);
    expect(tl[1][1]).toBeCloseTo(0.948472, 5);
    // n induction entries of the exact score, plus two entries the head leaves ≈ 0, over n + 2.
    expect(tl[1][1]).toBeCloseTo((exact[1][1] * n) / (n + 2), 3);
  });

  it('the planted circuit predicts the repeat: the second copy is predicted, the first is not', async () => {
    const { tokens } = repeatedRandomTokens({ tokenizer: planted.tokenizer, dVocab: 2048, nCtx: 128, seed: 0 });
    const seq = tokens[0];
    const logits = (await ctx.runner.run([seq], ['logits'])).get('logits')!;
    const V = planted.model.cfg.d_vocab;
    const at = (pos: number) => {
      const row = Array.from(logits.data.subarray(pos * V, (pos + 1) * V));
      const max = Math.max(...row);
      const logSum = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
      return { loss: logSum - row[seq[pos + 1]], hit: row.indexOf(max) === seq[pos + 1] };
    };
    const over = (from: number, to: number) => {
      const r = Array.from({ length: to - from + 1 }, (_, i) => at(from + i));
      return { loss: r.reduce((s, x) => s + x.loss, 0) / r.length, hits: r.filter((x) => x.hit).length };
    };
    // Second copy (predicting tokens 2..n of r): wrong only where a token repeats inside r and attention splits (4 of 49 here).
    const second = over(n + 1, 2 * n - 1);
    expect(second.hits).toBe(45);
    expect(second.loss).toBeCloseTo(0.656, 2);
    const first = over(1, n - 1);
    expect(first.hits).toBeLessThanOrEqual(1);
    expect(first.loss).toBeGreaterThan(5);
  });
});

describe('K-composition: ablating the previous-token head’s OV', () => {
  it('leaves the layer-1 head with nothing to match: its induction score falls to uniform', async () => {
    const ctx = contextFor(buildPlantedModel({ ablatePreviousTokenOV: true }));
    const exact = await inductionMetric.compute(ctx);
    expect(exact[1][1]).toBeCloseTo(uniformExact, 6);
    expect(Math.max(...exact.flat())).toBeLessThan(0.02);
  });
});
