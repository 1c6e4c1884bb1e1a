import { describe, expect, it } from 'vitest';
import { repeatedRandomTokens, repeatedTokensLength } from './repeated-tokens';

// A stories260K-like tokenizer: 512 ids, <unk> 0, BOS 1, EOS 2 never drawn.
const tokenizer = { vocabSize: 512, bosId: 1, specialIds: new Set([0, 1, 2]) };

describe('repeatedRandomTokens', () => {
  it('builds 10 × [BOS] + r + r with n = 50 by default', () => {
    const { tokens, nTokens } = repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 512, seed: 0 });
    expect(nTokens).toBe(50);
    expect(tokens).toHaveLength(10);
    for (const seq of tokens) {
      expect(seq).toHaveLength(101);
      expect(seq[0]).toBe(1);
      expect(seq.slice(51)).toEqual(seq.slice(1, 51));
      for (const id of seq.slice(1)) {
        expect(id).toBeGreaterThan(2);
        expect(id).toBeLessThan(512);
      }
    }
  });

  it('is reproducible from the seed (mulberry32), and the seed matters', () => {
    const a = repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 512, seed: 0 });
    const b = repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 512, seed: 0 });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens[0].slice(0, 8)).toEqual([1, 463, 212, 239, 507, 204, 129, 389]);
    expect(a.tokens[9].slice(0, 8)).toEqual([1, 125, 462, 226, 483, 241, 168, 133]);
    const c = repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 512, seed: 42 });
    expect(c.tokens[0].slice(0, 8)).toEqual([1, 172, 11, 375, 67, 189, 24, 204]);
  });

  it('draws only ids the model can embed when its vocabulary is smaller than the tokenizer', () => {
    const { tokens } = repeatedRandomTokens({ tokenizer, dVocab: 10, nCtx: 512, seed: 3, batch: 2, nTokens: 20 });
    expect(tokens.flat().every((id) => id === 1 || (id >= 3 && id < 10))).toBe(true);
    expect(tokens.map((t) => t.length)).toEqual([41, 41]);
  });

  it('shortens r to fit short contexts and rejects contexts too short for any', () => {
    expect(repeatedTokensLength(2048)).toBe(50);
    expect(repeatedTokensLength(101)).toBe(50);
    expect(repeatedTokensLength(100)).toBe(49);
    expect(repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 64, seed: 0 }).tokens[0]).toHaveLength(63);
    expect(() => repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 4, seed: 0 })).toThrow(/n_ctx 4 is too short/);
    expect(() => repeatedRandomTokens({ tokenizer, dVocab: 512, nCtx: 512, seed: 0, batch: 0 })).toThrow(
      /batch must be a positive integer/,
    );
  });
});
