import { afterAll, describe, expect, it } from 'vitest';
import { randomModel } from '@/lib/engine/random-model';
import { releaseWeightProductSessions } from '@/lib/engine/weight-products';
import type { CanonicalModel } from '@/lib/models/types';
import { buildPlantedNeuronModel, charId } from '@/lib/testing/planted-neurons';
import { layerWeightEffects, type NeuronWeightEffects, type TokenScore } from './weight-effects';
import { referenceLayerWeightEffects } from './weight-effects.reference';

afterAll(() => releaseWeightProductSessions());

/** Same scores within float32 tolerance, and the same tokens wherever the ranking is not a near-tie. */
function expectSameList(engine: TokenScore[], reference: TokenScore[], what: string) {
  expect(engine.length, what).toBe(reference.length);
  const scale = Math.max(1e-6, ...reference.map((r) => Math.abs(r.score)));
  engine.forEach((e, i) => {
    expect(Math.abs(e.score - reference[i].score), `${what}[${i}] score`).toBeLessThan(1e-5 * scale);
    const gapBefore = i > 0 ? Math.abs(reference[i - 1].score - reference[i].score) : Infinity;
    const gapAfter = i + 1 < reference.length ? Math.abs(reference[i + 1].score - reference[i].score) : Infinity;
    if (Math.min(gapBefore, gapAfter) > 1e-4 * scale) expect(e.token, `${what}[${i}] token`).toBe(reference[i].token);
  });
}

function expectSameEffects(model: CanonicalModel, engine: NeuronWeightEffects[], reference: NeuronWeightEffects[]) {
  expect(engine).toHaveLength(model.cfg.d_mlp);
  engine.forEach((e, n) => {
    expectSameList(e.logitTop, reference[n].logitTop, `neuron ${n} logitTop`);
    expectSameList(e.logitBottom, reference[n].logitBottom, `neuron ${n} logitBottom`);
    expectSameList(e.inputTop, reference[n].inputTop, `neuron ${n} inputTop`);
    expect(Boolean(e.gateTop)).toBe(Boolean(reference[n].gateTop));
    if (e.gateTop) expectSameList(e.gateTop, reference[n].gateTop!, `neuron ${n} gateTop`);
  });
}

describe('neuron weight effects on the engine', () => {
  it('planted neurons: the known tokens, and exactly the reference lists (ties: lower token id first)', async () => {
    const { model } = buildPlantedNeuronModel();
    for (let layer = 0; layer < model.cfg.n_layers; layer++) {
      const engine = await layerWeightEffects(model, layer, 5, 3);
      const reference = referenceLayerWeightEffects(model, layer, 5);
      // Integer weights: every product is exact in float32, so the lists are identical, ties included.
      expect(engine).toEqual(reference);
    }
    const [n0] = await layerWeightEffects(model, 0, 5);
    expect(n0.inputTop[0]).toEqual({ token: charId('x'), score: 4 });
    expect(n0.logitTop[0].token).toBe(charId('!'));
  });

  it('random models (LayerNorm scales, gated MLP, chunks that split the neurons unevenly) equal the JavaScript reference', async () => {
    for (const [cfg, seed] of [
      [{ d_model: 24, d_mlp: 37, d_vocab: 301, n_layers: 2 }, 3],
      [
        { d_model: 16, d_mlp: 20, d_vocab: 150, n_layers: 1, gated_mlp: true, act_fn: 'silu' as const, normalization_type: 'RMS' as const },
        4,
      ],
    ] as const) {
      const model = randomModel(cfg, { seed });
      for (let layer = 0; layer < model.cfg.n_layers; layer++) {
        for (const chunk of [7, undefined]) {
          expectSameEffects(model, await layerWeightEffects(model, layer, 12, chunk), referenceLayerWeightEffects(model, layer, 12));
        }
      }
    }
  });

  it('asks for no more tokens than the vocabulary has', async () => {
    const model = randomModel({ d_vocab: 6, d_mlp: 4 }, { seed: 5 });
    const [e] = await layerWeightEffects(model, 0, 20);
    expect(e.logitTop).toHaveLength(6);
    expect(e.logitBottom.map((t) => t.token).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
