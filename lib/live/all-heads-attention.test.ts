import { afterAll, describe, expect, it } from 'vitest';
import { LiveEngine } from './index';
import { GRID_MAX_TOKENS, liveAllHeadsAttention } from './all-heads-attention';

const engine = new LiveEngine();
afterAll(() => engine.close());
const bundled = async (slug: string) => slug;
const call = (text: string, pattern?: string) =>
  liveAllHeadsAttention({ modelSlug: 'stories260K', text, nLayers: 5, pattern, engine, resolveSource: bundled });

describe('liveAllHeadsAttention (the head grid)', () => {
  it("gives every head's causal pattern, and ranks heads against a detection pattern as their patterns say", async () => {
    const out = await call('Tom saw a dog. Tom saw a dog.', 'previous');
    const n = out.tokens.length;
    expect(out.tokens[0]).toBe('<s>');
    expect(out.patterns).toHaveLength(5);
    expect(out.patterns[0]).toHaveLength(8);
    for (const rows of out.patterns.flat()) {
      expect(rows).toHaveLength(n);
      rows.forEach((row, q) => {
        expect(row).toHaveLength(q + 1);
        expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 4);
      });
    }
    // Independently of detect_head: the head putting the most attention on the previous token must score highest.
    const prevMass = out.patterns.map((heads) => heads.map((rows) => rows.slice(1).reduce((s, row, i) => s + row[i], 0) / (n - 1)));
    const argmax = (g: number[][]) => {
      let best = [0, 0];
      g.forEach((row, l) => row.forEach((v, h) => v > g[best[0]][best[1]] && (best = [l, h])));
      return best;
    };
    expect(argmax(out.scores!)).toEqual(argmax(prevMass));
    for (const s of out.scores!.flat()) expect(s).toBeGreaterThanOrEqual(0);
  });

  it('refuses texts longer than the grid draws and unknown patterns, with the reason', async () => {
    await expect(call('word '.repeat(GRID_MAX_TOKENS + 10))).rejects.toMatchObject({ kind: 'too_long', message: /at most 64/ });
    await expect(call('Tom saw a dog.', 'sideways')).rejects.toMatchObject({ kind: 'input', message: /^pattern: / });
  });
});
