import { describe, expect, it } from 'vitest';
import type { ModelConfig, WeightMap } from '../../models/types';
import { buildPlantedModel } from '../../testing/planted-models';
import type { HeadMetricContext } from './types';
import { copyingOvMetric } from './copying-ov';
import { copyingFullMetric } from './copying-full';
import { referenceCopyingFull } from './copying-full.reference';
import { randomModel } from '../../engine/random-model';

const weightsOnly = (cfg: ModelConfig, weights: WeightMap): HeadMetricContext =>
  ({ cfg, weights, runner: null!, tokenizer: null!, texts: [], seed: 0 }) as HeadMetricContext;

/** One layer, two heads of d_head 3 in d_model 3, GQA with one kv head; W_V = I. */
function tinyModel(woHead0: number[], woHead1: number[]): { cfg: ModelConfig; weights: WeightMap } {
  const planted = buildPlantedModel().model.cfg;
  const cfg: ModelConfig = { ...planted, n_layers: 1, d_model: 3, d_head: 3, n_heads: 2, n_key_value_heads: 1, d_vocab: 3 };
  const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const weights: WeightMap = new Map([
    ['blocks.0.attn.W_V', { shape: [1, 3, 3], data: Float32Array.from(eye) }],
    ['blocks.0.attn.W_O', { shape: [2, 3, 3], data: Float32Array.from([...woHead0, ...woHead1]) }],
    ['embed.W_E', { shape: [3, 3], data: Float32Array.from(eye) }],
    ['unembed.W_U', { shape: [3, 3], data: Float32Array.from(eye) }],
  ]);
  return { cfg, weights };
}

describe('copying scores (OV eigenvalues)', () => {
  it('hand-built OV circuits: diag(2, 1, −1) → (2+1−1)/4 = 0.5; a 90° rotation plus −1 → −1/3', async () => {
    // head 1: rotation in the first two dims (λ = ±i) and −1 in the third: Re Σλ = −1, Σ|λ| = 3.
    const { cfg, weights } = tinyModel([2, 0, 0, 0, 1, 0, 0, 0, -1], [0, -1, 0, 1, 0, 0, 0, 0, -1]);
    const ov = await copyingOvMetric.compute(weightsOnly(cfg, weights));
    expect(ov[0][0]).toBeCloseTo(0.5, 12);
    expect(ov[0][1]).toBeCloseTo(-1 / 3, 12);
    // W_E = W_U = I: the full circuit equals W_OV.
    const full = await copyingFullMetric.compute(weightsOnly(cfg, weights));
    expect(full[0][0]).toBeCloseTo(0.5, 12);
    expect(full[0][1]).toBeCloseTo(-1 / 3, 12);
  });

  it('the planted model: exactly the heads whose OV copies into the unembedding (L1H1 induction, L1H2 copying) score 1', async () => {
    const planted = buildPlantedModel({ copyingHead: true });
    const ctx = weightsOnly(planted.model.cfg, planted.model.weights);
    const full = await copyingFullMetric.compute(ctx);
    // W_O W_U W_E W_V is 30 × the Gram matrix of the token vectors: positive semi-definite, every λ ≥ 0.
    expect(full[1][1]).toBeCloseTo(1, 9);
    expect(full[1][2]).toBeCloseTo(1, 9);
    // L0H1 writes PREV, which W_U does not read; the rest write nothing.
    for (const [l, h] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
    ])
      expect(full[l][h]).toBe(0);
    // W_OV alone: every planted head writes a subspace other than the one it reads, so W_O W_V = 0.
    const ov = await copyingOvMetric.compute(ctx);
    expect(ov.flat().every((v) => v === 0)).toBe(true);
  });
});

describe('copying_full on the engine equals the float64 JavaScript reference', () => {
  it('random models (MHA and grouped-query attention, vocabularies that span several chunks)', async () => {
    for (const [cfg, seed] of [
      [{ n_layers: 2, d_model: 32, n_heads: 4, d_head: 8, n_key_value_heads: 4, d_vocab: 9000 }, 3],
      [{ n_layers: 2, d_model: 24, n_heads: 4, d_head: 6, n_key_value_heads: 2, d_vocab: 500 }, 4],
    ] as const) {
      const model = randomModel(cfg, { seed });
      const engine = await copyingFullMetric.compute(weightsOnly(model.cfg, model.weights));
      const reference = referenceCopyingFull(model.cfg, model.weights);
      engine.flat().forEach((v, i) => expect(Math.abs(v - reference.flat()[i])).toBeLessThan(1e-5));
    }
  });
});
