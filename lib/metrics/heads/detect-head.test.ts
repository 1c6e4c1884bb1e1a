import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../models/types';
import type { ActivationCache, ForwardRunner } from '../../engine/types';
import type { Tokenizer } from '../../tokenizers/types';
import {
  detectHeads,
  detectHeadsOnTexts,
  detectorTokens,
  headSimilarityScore,
  pythonRound,
  TL_DETECT_HEAD_DEFAULTS,
  type DetectHeadOptions,
} from './detect-head';
import { duplicateTokenPattern, inductionPattern, previousTokenPattern } from './detection-patterns';

const opts = (o: Partial<DetectHeadOptions> = {}): DetectHeadOptions => ({ ...TL_DETECT_HEAD_DEFAULTS, ...o });

// A hand-written causal 4×4 pattern on tokens [BOS, 5, 7, 5].
const tokens = [0, 5, 7, 5];
const A = new Float32Array([1, 0, 0, 0, 0.25, 0.75, 0, 0, 0.1, 0.6, 0.3, 0, 0.1, 0.2, 0.4, 0.3]);
const prev = previousTokenPattern(tokens); // (1,0) (2,1) (3,2)
const dup = duplicateTokenPattern(tokens); // (3,1)
const ind = inductionPattern(tokens); // (3,2)

describe('headSimilarityScore (TransformerLens compute_head_attention_similarity_score)', () => {
  it('mul: Σ(A ⊙ D) / Σ A, with the exclude options zeroing BOS column and diagonal', () => {
    // (0.25 + 0.6 + 0.4) / 4
    expect(headSimilarityScore(A, prev, 4, opts())).toBeCloseTo(0.3125, 6);
    // column 0 gone: 1.0 / 2.55
    expect(headSimilarityScore(A, prev, 4, opts({ excludeBos: true }))).toBeCloseTo(0.3921569, 6);
    // diagonal gone: 1.25 / 1.65
    expect(headSimilarityScore(A, prev, 4, opts({ excludeCurrentToken: true }))).toBeCloseTo(0.7575758, 6);
    // both: 1.0 / 1.2
    expect(headSimilarityScore(A, prev, 4, opts({ excludeBos: true, excludeCurrentToken: true }))).toBeCloseTo(0.8333333, 6);
    expect(headSimilarityScore(A, dup, 4, opts())).toBeCloseTo(0.05, 6);
    expect(headSimilarityScore(A, ind, 4, opts())).toBeCloseTo(0.1, 6);
  });

  it('abs: 1 − round(Σ|A − D| / seq_len, 3), negative when far from the pattern', () => {
    // Σ|A − D| = 1 + 1.5 + 0.8 + 1.2 = 4.5 → 1 − 1.125
    expect(headSimilarityScore(A, prev, 4, opts({ errorMeasure: 'abs' }))).toBeCloseTo(-0.125, 12);
    expect(headSimilarityScore(A, prev, 4, opts({ errorMeasure: 'abs', excludeCurrentToken: true }))).toBeCloseTo(0.463, 12);
    expect(headSimilarityScore(A, prev, 4, opts({ errorMeasure: 'abs', excludeBos: true }))).toBeCloseTo(0.363, 12);
    expect(headSimilarityScore(A, prev, 4, opts({ errorMeasure: 'abs', excludeBos: true, excludeCurrentToken: true }))).toBeCloseTo(
      0.7,
      12,
    );
    expect(headSimilarityScore(A, dup, 4, opts({ errorMeasure: 'abs' }))).toBeCloseTo(-0.15, 12);
    expect(headSimilarityScore(A, ind, 4, opts({ errorMeasure: 'abs' }))).toBeCloseTo(-0.05, 12);
  });

  it('abs rounds like Python: exact ties go to the even digit', () => {
    const nearPrev = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.875, 0.125]);
    // Σ E = 1 + 0.25 → 0.3125 → round → 0.312 (Math.round would give 0.313)
    expect(headSimilarityScore(nearPrev, prev, 4, opts({ errorMeasure: 'abs' }))).toBe(1 - 0.312);
    // BOS column excluded: Σ E = 0.25 → 0.0625 → 0.062
    expect(headSimilarityScore(nearPrev, prev, 4, opts({ errorMeasure: 'abs', excludeBos: true }))).toBe(1 - 0.062);
    // diagonal excluded: Σ E = 0.125 → 0.03125 → 0.031
    expect(headSimilarityScore(nearPrev, prev, 4, opts({ errorMeasure: 'abs', excludeCurrentToken: true }))).toBe(1 - 0.031);
  });

  it('mul with every attended entry excluded scores 0 (TransformerLens would give NaN)', () => {
    const a = new Float32Array([1, 0, 0.5, 0.5]);
    expect(headSimilarityScore(a, previousTokenPattern([0, 3]), 2, opts({ excludeBos: true, excludeCurrentToken: true }))).toBe(0);
  });

  it('rejects a non-causal pattern under abs and mismatched sizes', () => {
    const acausal = new Float32Array([0.5, 0.5, 0.5, 0.5]);
    expect(() => headSimilarityScore(acausal, previousTokenPattern([0, 3]), 2, opts({ errorMeasure: 'abs' }))).toThrow(
      /lower-triangular.*q 0, k 1/,
    );
    expect(() => headSimilarityScore(A, prev, 3, opts())).toThrow(/16 entries; expected seq_len² = 9/);
    expect(() => headSimilarityScore(A, prev, 4, opts({ errorMeasure: 'max' as never }))).toThrow(/unknown error measure "max"/);
  });
});

describe('pythonRound', () => {
  it('matches Python round() on ties and on floats just off a tie', () => {
    // Values checked with CPython 3: round(x, n)
    expect(pythonRound(0.0625, 3)).toBe(0.062);
    expect(pythonRound(0.1875, 3)).toBe(0.188);
    expect(pythonRound(-0.0625, 3)).toBe(-0.062);
    expect(pythonRound(2.675, 2)).toBe(2.67); // 2.675 is 2.67499999… in binary
    expect(pythonRound(0.0635, 3)).toBe(0.064); // 0.0635 is 0.06350000…03 in binary
    expect(pythonRound(1.0005, 3)).toBe(1);
    expect(pythonRound(2.5, 0)).toBe(2);
    expect(pythonRound(3.5, 0)).toBe(4);
    expect(pythonRound(0.123456, 3)).toBe(0.123);
  });
});

/** A runner that serves hand-made patterns: head 0 a perfect previous-token head, head 1 uniform. */
class FakePatternRunner implements ForwardRunner {
  calls: number[][][] = [];
  async run(batch: number[][], hooks: string[]): Promise<ActivationCache> {
    this.calls.push(batch);
    const seq = batch[0].length;
    if (batch.some((s) => s.length !== seq)) throw new Error('unequal batch');
    const data = new Float32Array(batch.length * 2 * seq * seq);
    for (let b = 0; b < batch.length; b++) {
      for (let q = 0; q < seq; q++) {
        data[((b * 2 + 0) * seq + q) * seq + Math.max(0, q - 1)] = 1;
        for (let k = 0; k <= q; k++) data[((b * 2 + 1) * seq + q) * seq + k] = 1 / (q + 1);
      }
    }
    return new Map(hooks.map((h) => [h, { shape: [batch.length, 2, seq, seq], data }]));
  }
}

const cfg = { n_layers: 1, n_heads: 2, n_ctx: 16 } as ModelConfig;

describe('detectHeads over several sequences', () => {
  it('averages per-sequence scores, batching sequences of equal length together', async () => {
    const runner = new FakePatternRunner();
    const scores = await detectHeads(runner, cfg, [
      [0, 4, 5],
      [0, 4, 5, 4],
      [0, 6, 6],
    ]);
    expect(runner.calls.map((c) => c.length).sort()).toEqual([1, 2]);
    // Perfect head: (seq − 1)/seq per sequence → (2/3 + 3/4 + 2/3) / 3
    expect(scores.previous_token_head[0][0]).toBeCloseTo((2 / 3 + 3 / 4 + 2 / 3) / 3, 6);
    // Uniform head: Σ_{i≥1} 1/(i+1) / seq → ((1/2+1/3)/3 · 2 + (1/2+1/3+1/4)/4) / 3
    expect(scores.previous_token_head[0][1]).toBeCloseTo(((5 / 6 / 3) * 2 + 13 / 12 / 4) / 3, 6);
    // Duplicates: [0,4,5,4] row 3 → col 1 (uniform head: 1/4 of 4 rows); [0,6,6] row 2 → col 1 (1/3 of 3 rows)
    expect(scores.duplicate_token_head[0][1]).toBeCloseTo((0 + 1 / 16 + 1 / 9) / 3, 6);
    // Induction: [0,4,5,4] row 3 → j = 2, where the previous-token head looks too (1 of 4 rows);
    // [0,6,6] row 2 → j = 2 (tok[1] == 6), the previous-token head looks at 1 instead.
    expect(scores.induction_head[0][0]).toBeCloseTo((0 + 1 / 4 + 0) / 3, 6);
    expect(scores.induction_head[0][1]).toBeCloseTo((0 + 1 / 16 + 1 / 9) / 3, 6);
  });

  it('honours the exclude options for several sequences (TransformerLens drops them for lists)', async () => {
    const scores = await detectHeads(
      new FakePatternRunner(),
      cfg,
      [
        [0, 4, 5],
        [0, 4, 5, 4],
      ],
      opts({ excludeBos: true }),
    );
    // Without BOS the perfect previous-token head is perfect on every sequence.
    expect(scores.previous_token_head[0][0]).toBe(1);
    const abs = await detectHeads(
      new FakePatternRunner(),
      cfg,
      [
        [0, 4, 5],
        [0, 4, 5, 4],
      ],
      opts({ errorMeasure: 'abs' }),
    );
    // Only row 0 misses (A[0,0] = 1 where D is 0): 1 − round(1/3, 3) and 1 − round(1/4, 3)
    expect(abs.previous_token_head[0][0]).toBeCloseTo((1 - 0.333 + (1 - 0.25)) / 2, 12);
  });

  it('its fast mul path gives headSimilarityScore’s numbers under every option combination', async () => {
    // Causal rows of uneven weights, different per head and position.
    const runner: ForwardRunner = {
      async run(batch, hooks) {
        const seq = batch[0].length;
        const data = new Float32Array(batch.length * 2 * seq * seq);
        for (let bh = 0; bh < batch.length * 2; bh++) {
          for (let q = 0; q < seq; q++) {
            let sum = 0;
            for (let k = 0; k <= q; k++) sum += 1 + ((bh * 7 + q * 3 + k * 5) % 11);
            for (let k = 0; k <= q; k++) data[(bh * seq + q) * seq + k] = (1 + ((bh * 7 + q * 3 + k * 5) % 11)) / sum;
          }
        }
        return new Map(hooks.map((h) => [h, { shape: [batch.length, 2, seq, seq], data }]));
      },
    };
    const seqs = [
      [0, 4, 5, 4, 4, 5, 9],
      [0, 3, 3, 3, 8, 3, 8],
    ];
    const cache = await runner.run(seqs, ['p']);
    const pattern = cache.get('p')!.data;
    for (const excludeBos of [false, true]) {
      for (const excludeCurrentToken of [false, true]) {
        const o = opts({ excludeBos, excludeCurrentToken });
        const fast = await detectHeads(runner, cfg, seqs, o);
        for (const [name, make] of [
          ['previous_token_head', previousTokenPattern],
          ['duplicate_token_head', duplicateTokenPattern],
          ['induction_head', inductionPattern],
        ] as const) {
          for (let h = 0; h < 2; h++) {
            const slow = seqs.map((t, b) => headSimilarityScore(pattern.subarray((b * 2 + h) * 49, (b * 2 + h + 1) * 49), make(t), 7, o));
            expect(fast[name][0][h]).toBeCloseTo((slow[0] + slow[1]) / 2, 12);
          }
        }
      }
    }
  });

  it('rejects sequences outside 1 < seq_len < n_ctx', async () => {
    await expect(detectHeads(new FakePatternRunner(), cfg, [[0]])).rejects.toThrow(/sequence 0 is 1 tokens.*1 < seq_len < n_ctx \(16\)/);
    await expect(detectHeads(new FakePatternRunner(), cfg, [Array(16).fill(3)])).rejects.toThrow(/16 tokens/);
    await expect(detectHeads(new FakePatternRunner(), cfg, [])).rejects.toThrow(/at least one token sequence/);
  });
});

/** Characters a..z as ids 2..27, BOS 1. */
const letters: Tokenizer = {
  vocabSize: 28,
  bosId: 1,
  eosId: 0,
  specialIds: new Set([0, 1]),
  encode: (text, o) => [...(o?.bos ? [1] : []), ...[...text].map((c) => c.charCodeAt(0) - 95)],
  decode: (ids) => ids.map((i) => String.fromCharCode(i + 95)).join(''),
  piece: (id) => String.fromCharCode(id + 95),
};

describe('detectorTokens', () => {
  it('prepends BOS and cuts to min(128, n_ctx − 1) tokens', () => {
    expect(detectorTokens(letters, ['abc'], 16)).toEqual([[1, 2, 3, 4]]);
    expect(detectorTokens(letters, ['a'.repeat(40)], 16)[0]).toHaveLength(15);
    expect(detectorTokens(letters, ['a'.repeat(400)], 1024)[0]).toHaveLength(128);
  });

  it('names the text that is empty after tokenization', () => {
    expect(() => detectorTokens(letters, ['ab', ''], 16)).toThrow(
      /text 1 \(""\) is 1 tokens with BOS; pattern detectors need 1 < seq_len < n_ctx/,
    );
    expect(() => detectorTokens(letters, [], 16)).toThrow(/at least one text/);
  });
});

describe('detectHeadsOnTexts', () => {
  it('shares one forward pass between the detectors of a run', async () => {
    const runner = new FakePatternRunner();
    const texts = ['abab', 'cdcd'];
    const ctx = { cfg, runner, tokenizer: letters, texts };
    const [a, b] = await Promise.all([detectHeadsOnTexts(ctx), detectHeadsOnTexts(ctx)]);
    expect(a).toBe(b);
    expect(runner.calls).toHaveLength(1);
    expect(a.previous_token_head[0][0]).toBeCloseTo(4 / 5, 6);
    // A different options set is a different pass.
    await detectHeadsOnTexts(ctx, opts({ excludeBos: true }));
    expect(runner.calls).toHaveLength(2);
  });
});
