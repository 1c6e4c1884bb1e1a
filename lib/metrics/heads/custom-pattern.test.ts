import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { buildPlantedModel } from '../../testing/planted-models';
import { detectCustomPattern, parsePatternSpec } from './custom-pattern';
import { previousTokenMetric } from './previous-token';

const planted = buildPlantedModel({ copyingHead: true });
const runner = new OnnxRunner(planted.model);
const base = { runner, cfg: planted.model.cfg, tokenizer: planted.tokenizer };
const texts = ['The cat sat on the mat.', 'abcabcabcabc'];

describe('custom detection patterns', () => {
  it('parses rules and matrices, with clear errors', () => {
    expect(parsePatternSpec('previous')).toEqual({ kind: 'named', name: 'previous' });
    expect(parsePatternSpec('offset:2')).toEqual({ kind: 'offset', offset: 2 });
    expect(parsePatternSpec('[[1],[1,0]]')).toEqual({
      kind: 'matrix',
      matrix: [
        [1, 0],
        [1, 0],
      ],
    });
    expect(() => parsePatternSpec('offset:0')).toThrow(/k ≥ 1/);
    expect(() => parsePatternSpec('[[1,1],[1,0]]')).toThrow(/above the diagonal/);
    expect(() => parsePatternSpec('[[1]')).toThrow(/not valid JSON/);
    expect(() => parsePatternSpec('sideways')).toThrow(/unknown pattern "sideways"/);
  });

  it('"previous" reproduces the registered previous_token metric exactly', async () => {
    const custom = await detectCustomPattern({ ...base, texts, spec: parsePatternSpec('previous') });
    const registered = await previousTokenMetric.compute({ ...base, weights: planted.model.weights, texts, seed: 0 });
    expect(custom).toEqual(registered);
  });

  it('a JSON matrix "attend to position 1" finds exactly the planted copying head L1H2', async () => {
    const seq = planted.tokenizer.encode('abcabc', { bos: true }).length; // 7
    const matrix = Array.from({ length: seq }, (_, i) => Array.from({ length: i + 1 }, (_, k) => (i === 0 ? 1 : k === 1 ? 1 : 0)));
    const scores = await detectCustomPattern({ ...base, texts: ['abcabc'], spec: parsePatternSpec(JSON.stringify(matrix)) });
    const ranked = scores.flatMap((r, l) => r.map((v, h) => ({ head: `L${l}H${h}`, v }))).sort((a, b) => b.v - a.v);
    expect(ranked[0].head).toBe('L1H2');
    expect(ranked[0].v).toBeGreaterThan(0.99);
    await expect(detectCustomPattern({ ...base, texts: ['abc'], spec: parsePatternSpec(JSON.stringify(matrix)) })).rejects.toThrow(
      /must match/,
    );
  });
});
