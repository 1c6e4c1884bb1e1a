import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { buildPlantedModel } from '../../testing/planted-models';
import { perInputComposition } from './per-input-composition';

describe('per-input composition on the planted model', () => {
  const planted = buildPlantedModel();
  const runner = new OnnxRunner(planted.model);
  const tokens = planted.tokenizer.encode('abcdabcdabcd', { bos: true });

  it("the induction head's key is all L0H1 (the previous token); ablating L0H1 moves its attention", async () => {
    const terms = await perInputComposition(planted.model, runner, tokens, planted.heads.induction, 'k');
    expect(terms[0].source).toBe('L0H1');
    expect(terms[0].share).toBeCloseTo(1, 9);
    expect(terms[0].patternChange).toBeGreaterThan(0.4);
    expect(terms.slice(1).every((t) => t.size === 0)).toBe(true);
  });

  it('its query reads only the token embedding; its value too', async () => {
    for (const side of ['q', 'v'] as const) {
      const terms = await perInputComposition(planted.model, runner, tokens, planted.heads.induction, side, { ablateTop: 0 });
      expect(terms[0]).toMatchObject({ source: 'embed' });
      expect(terms[0].share).toBeCloseTo(1, 9);
    }
  });

  it('rejects a layer-0 target', async () => {
    await expect(perInputComposition(planted.model, runner, tokens, { layer: 0, head: 1 }, 'k')).rejects.toThrow(/layers 1\.\.1/);
  });
});
