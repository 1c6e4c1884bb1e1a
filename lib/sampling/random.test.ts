import { describe, expect, it } from 'vitest';
import { makeRng, randomTokens } from './random';

describe('makeRng (mulberry32)', () => {
  it('produces the reference mulberry32 sequence (checked against an independent Python port)', () => {
    const a = makeRng(42);
    expect([a.next(), a.next(), a.next(), a.next()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693,
    ]);
    const b = makeRng(0);
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([
      0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111,
    ]);
  });

  it('is reproducible per seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = makeRng(seed);
      return Array.from({ length: 20 }, () => rng.int(1000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('int(n) is uniform over 0..n-1', () => {
    const rng = makeRng(123);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // ~5 standard deviations
    for (let i = 0; i < 1000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => makeRng(1.5)).toThrow(/seed must be an integer, got 1.5/);
    expect(() => makeRng(1).int(0)).toThrow(/n must be an integer in 1..2\^32, got 0/);
  });
});

describe('randomTokens', () => {
  it('draws n ids in range, never an excluded one, reproducibly', () => {
    const excluded = new Set([0, 1, 2]);
    const tokens = randomTokens(makeRng(5), 2000, 512, excluded);
    expect(tokens).toHaveLength(2000);
    expect(tokens.every((t) => Number.isInteger(t) && t >= 3 && t < 512)).toBe(true);
    expect(new Set(tokens).size).toBeGreaterThan(450);
    expect(randomTokens(makeRng(5), 2000, 512, excluded)).toEqual(tokens);
    expect(randomTokens(makeRng(5), 0, 512)).toEqual([]);
  });

  it('rejects impossible requests', () => {
    expect(() => randomTokens(makeRng(1), 3, 2, new Set([0, 1]))).toThrow(/every id in 0..1 is excluded/);
    expect(() => randomTokens(makeRng(1), -1, 5)).toThrow(/n must be a non-negative integer/);
  });
});
