import { afterAll, describe, expect, it } from 'vitest';
import { buildPlantedModel } from '../../testing/planted-models';
import { randomModel } from '../../engine/random-model';
import { releaseWeightProductSessions } from '../../engine/weight-products';
import { matmul, matrix, transpose } from '../../numerics/matrix';
import { makeRng } from '../../sampling/random';
import { allCompositionScores, randomCompositionBaseline } from './composition-scores';
import {
  factoredCompositionScore,
  headFactors,
  referenceAllCompositionScores,
  referenceRandomCompositionBaseline,
} from './composition-scores.reference';

afterAll(() => releaseWeightProductSessions());

/** ‖A B‖ / (‖A‖ ‖B‖) with the full d_model × d_model matrices (the definition, no factoring). */
function direct(A: ReturnType<typeof matrix>, B: ReturnType<typeof matrix>): number {
  const norm = (m: ReturnType<typeof matrix>) => Math.sqrt(m.data.reduce((s, v) => s + v * v, 0));
  return norm(matmul(A, B)) / (norm(A) * norm(B));
}

describe('composition scores', () => {
  it('the reference: factored scores equal the definition on full matrices (random factors)', () => {
    const rng = makeRng(5);
    const rand = (r: number, c: number) =>
      matrix(
        r,
        c,
        Array.from({ length: r * c }, () => rng.next() - 0.5),
      );
    const [U1, V1, U2, V2] = [rand(12, 3), rand(3, 12), rand(12, 4), rand(4, 12)];
    const f = (U: typeof U1, V: typeof V1) => {
      const gramU = matmul(transpose(U), U);
      const gramV = matmul(V, transpose(V));
      let normSq = 0;
      for (let i = 0; i < gramU.data.length; i++) normSq += gramU.data[i] * gramV.data[i];
      return { U, V, gramU, gramV, normSq };
    };
    expect(factoredCompositionScore(f(U1, V1), f(U2, V2))).toBeCloseTo(direct(matmul(U1, V1), matmul(U2, V2)), 12);
  });

  it('the planted model: L0H1 → L1H1 K-composition is exactly 1/8 (a rank-64 identity block), Q- and V-composition 0', async () => {
    const planted = buildPlantedModel();
    const scores = await allCompositionScores(planted.model.cfg, planted.model.weights);
    const get = (kind: string, s: number, d: number) =>
      scores.find((c) => c.kind === kind && c.srcLayer === 0 && c.srcHead === s && c.dstLayer === 1 && c.dstHead === d)!.value;
    // W_OV(L0H1) = I on TOK→PREV (‖·‖ = 8); W_QKᵀ(L1H1) = q·I on PREV→TOK (‖·‖ = 8q); product q·I on TOK (‖·‖ = 8q).
    expect(get('k', 1, 1)).toBeCloseTo(1 / 8, 6);
    expect(get('q', 1, 1)).toBe(0);
    expect(get('v', 1, 1)).toBe(0);
    // Only pairs with a non-zero writer and reader can compose: L0H1 is the only layer-0 head with an OV.
    const nonZero = scores.filter((c) => c.value > 0);
    expect(nonZero.map((c) => `${c.kind}:L${c.srcLayer}H${c.srcHead}→L${c.dstLayer}H${c.dstHead}`)).toEqual(['k:L0H1→L1H1']);
    expect(scores).toHaveLength(3 * 3 * 3);
    // Factors are consistent with headFactors' norms: ‖W_OV(L0H1)‖² = 64.
    expect(headFactors(planted.model.cfg, planted.model.weights, 0, 1).ov.normSq).toBeCloseTo(64, 9);
  });

  it('equals the float64 reference pair by pair on random models (MHA and grouped-query attention)', async () => {
    for (const [cfg, seed] of [
      [{ n_layers: 3, d_model: 32, n_heads: 4, d_head: 8, n_key_value_heads: 4 }, 7],
      [{ n_layers: 3, d_model: 24, n_heads: 4, d_head: 6, n_key_value_heads: 2 }, 8],
    ] as const) {
      const model = randomModel(cfg, { seed });
      const engine = await allCompositionScores(model.cfg, model.weights);
      const reference = referenceAllCompositionScores(model.cfg, model.weights);
      expect(engine.map(({ value: _v, ...at }) => at)).toEqual(reference.map(({ value: _v, ...at }) => at));
      engine.forEach((e, i) => expect(Math.abs(e.value - reference[i].value)).toBeLessThan(2e-6));
      // Rankings: the same strongest partners per kind.
      for (const kind of ['q', 'k', 'v']) {
        const order = (s: typeof engine) =>
          s
            .map((c, i) => ({ c, i }))
            .filter(({ c }) => c.kind === kind)
            .sort((a, b) => b.c.value - a.c.value)
            .slice(0, 5)
            .map(({ i }) => i);
        expect(order(engine)).toEqual(order(reference));
      }
    }
  });

  it('the random baseline: seeded, 200 draws, reproducible, well above 0, equal to the float64 reference', async () => {
    const a = await randomCompositionBaseline(64, 8, 1);
    const b = await randomCompositionBaseline(64, 8, 1);
    expect(a).toEqual(b);
    expect(a.draws).toBe(200);
    // For Gaussian rank-r factors in d dimensions, C ≈ 1/√d (independent directions); here d = 64.
    expect(a.mean).toBeGreaterThan(0.08);
    expect(a.mean).toBeLessThan(0.2);
    expect(a.std).toBeGreaterThan(0);
    const ref = referenceRandomCompositionBaseline(64, 8, 1, 200);
    expect(Math.abs(a.mean - ref.mean)).toBeLessThan(1e-6);
    expect(Math.abs(a.std - ref.std)).toBeLessThan(1e-6);
    await expect(randomCompositionBaseline(64, 8, 1, 1)).rejects.toThrow(/draws/);
  });
});
