import { afterAll, describe, expect, it } from 'vitest';
import type { CanonicalModel, Tensor } from '../models/types';
import { makeRng } from '../sampling/random';
import { buildPlantedModel, PLANTED } from '../testing/planted-models';
import { OnnxRunner } from './onnx-runner';
import { ReferenceRunner } from './reference';
import { randomModel } from './random-model';
import { meanOverBatchAndPositions, type Intervention } from './interventions';

const runners: OnnxRunner[] = [];
function onnx(model: CanonicalModel): OnnxRunner {
  const r = new OnnxRunner(model);
  runners.push(r);
  return r;
}
afterAll(() => Promise.all(runners.map((r) => r.dispose())));

function randomTokens(seed: number, batch: number, pos: number, vocab: number): number[][] {
  const rng = makeRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(vocab)));
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, a.data[i] === b.data[i] ? 0 : Math.abs(a.data[i] - b.data[i]));
  return worst;
}

/** A copy of the model with head h of layer l writing nothing (its W_O rows zeroed). */
function withHeadOutputZeroed(model: CanonicalModel, layer: number, head: number): CanonicalModel {
  const weights = new Map(model.weights);
  const W_O = model.weights.get(`blocks.${layer}.attn.W_O`)!;
  const [, dh, D] = W_O.shape;
  const data = W_O.data.slice();
  data.fill(0, head * dh * D, (head + 1) * dh * D);
  weights.set(`blocks.${layer}.attn.W_O`, { shape: W_O.shape, data });
  return { ...model, weights };
}

const gpt2Like = randomModel({ n_layers: 2, normalization_type: 'LN', act_fn: 'gelu_new' }, { seed: 21 });
const llamaLike = randomModel(
  {
    n_layers: 2,
    normalization_type: 'RMS',
    positional_embedding_type: 'rotary',
    rotary_dim: 4,
    gated_mlp: true,
    act_fn: 'silu',
    n_key_value_heads: 2,
  },
  { seed: 22, biases: false },
);
const batch = randomTokens(5, 2, 9, 40);

describe('zero ablation', () => {
  for (const site of ['attn.hook_z', 'attn.hook_result']) {
    it(`of a head on ${site} equals running with that head's W_O zeroed`, async () => {
      const runner = onnx(gpt2Like);
      const ablated = await runner.run(batch, ['logits'], { interventions: [{ hook: `blocks.0.${site}`, kind: 'zero', head: 2 }] });
      const expected = await onnx(withHeadOutputZeroed(gpt2Like, 0, 2)).run(batch, ['logits']);
      const clean = await runner.run(batch, ['logits']);
      expect(maxAbsDiff(ablated.get('logits')!, expected.get('logits')!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(ablated.get('logits')!, clean.get('logits')!)).toBeGreaterThan(1e-2);
    });
  }

  it('one cached session serves every ablation of the same hook set', async () => {
    const runner = onnx(gpt2Like);
    await runner.run(batch, ['logits'], { interventions: [{ hook: 'blocks.1.attn.hook_z', kind: 'zero', head: 0 }] });
    const builds = runner.buildCount;
    for (let head = 0; head < 4; head++) {
      await runner.run(batch, ['logits'], { interventions: [{ hook: 'blocks.1.attn.hook_z', kind: 'zero', head, positions: [head] }] });
    }
    await runner.run(batch, ['logits'], { interventions: [{ hook: 'blocks.1.attn.hook_z', kind: 'mean', head: 1, value: 0.5 }] });
    expect(runner.buildCount).toBe(builds);
  });
});

describe('mean ablation', () => {
  it("replaces the head's z with the given mean, and the rest of the forward pass reads it", async () => {
    const runner = onnx(gpt2Like);
    const hooks = ['blocks.0.attn.hook_z', 'blocks.0.hook_attn_out'];
    const clean = await runner.run(batch, hooks);
    const mean = meanOverBatchAndPositions(clean.get('blocks.0.attn.hook_z')!); // [head, d_head]
    expect(mean.shape).toEqual([4, 4]);
    const headMean = { shape: [4], data: mean.data.slice(4, 8) }; // head 1's mean, [d_head]
    const got = await runner.run(batch, hooks, {
      interventions: [{ hook: 'blocks.0.attn.hook_z', kind: 'mean', head: 1, value: headMean }],
    });

    const z = got.get('blocks.0.attn.hook_z')!;
    const zClean = clean.get('blocks.0.attn.hook_z')!;
    const [B, T, H, dh] = z.shape;
    for (let i = 0; i < B * T * H * dh; i++) {
      const head = Math.floor(i / dh) % H;
      expect(z.data[i]).toBeCloseTo(head === 1 ? headMean.data[i % dh] : zClean.data[i], 6);
    }
    // hook_attn_out = z_flat @ W_O + b_O, computed here by hand from the intervened z.
    const W_O = gpt2Like.weights.get('blocks.0.attn.W_O')!.data;
    const b_O = gpt2Like.weights.get('blocks.0.attn.b_O')!.data;
    const D = gpt2Like.cfg.d_model;
    const out = got.get('blocks.0.hook_attn_out')!;
    for (let r = 0; r < B * T; r++) {
      for (let o = 0; o < D; o++) {
        let sum = b_O[o];
        for (let k = 0; k < H * dh; k++) sum += z.data[r * H * dh + k] * W_O[k * D + o];
        expect(out.data[r * D + o]).toBeCloseTo(sum, 4);
      }
    }
  });
});

describe('activation patching', () => {
  it("patching a clean run's resid_pre into a corrupted run at all positions reproduces the clean logits", async () => {
    const runner = onnx(llamaLike);
    const cleanTokens = randomTokens(1, 2, 8, 40);
    const corrupted = randomTokens(2, 2, 8, 40);
    const clean = await runner.run(cleanTokens, ['logits', 'blocks.1.hook_resid_pre']);
    const patched = await runner.run(corrupted, ['logits'], {
      interventions: [{ hook: 'blocks.1.hook_resid_pre', kind: 'patch', value: clean.get('blocks.1.hook_resid_pre')! }],
    });
    const corruptedLogits = (await runner.run(corrupted, ['logits'])).get('logits')!;
    expect(maxAbsDiff(patched.get('logits')!, clean.get('logits')!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(corruptedLogits, clean.get('logits')!)).toBeGreaterThan(1e-2);
  });

  it('ONNX engine and reference forward agree on head-, neuron- and position-selective interventions', async () => {
    for (const model of [gpt2Like, llamaLike]) {
      const source = await onnx(model).run(randomTokens(9, 2, 9, 40), ['blocks.0.attn.hook_v', 'blocks.1.attn.hook_q']);
      const interventions: Intervention[] = [
        { hook: 'blocks.0.attn.hook_v', kind: 'patch', head: 1, positions: [2, 5], value: source.get('blocks.0.attn.hook_v')! },
        { hook: 'blocks.1.attn.hook_q', kind: 'patch', head: 0, value: source.get('blocks.1.attn.hook_q')! },
        { hook: 'blocks.0.mlp.hook_post', kind: 'zero', neuron: 3 },
        { hook: 'blocks.1.mlp.hook_post', kind: 'mean', neuron: 7, positions: [0, 8], value: 0.25 },
        { hook: 'blocks.1.attn.hook_result', kind: 'zero', head: 3, positions: [4] },
        {
          hook: 'blocks.0.hook_resid_post',
          kind: 'mean',
          value: { shape: [model.cfg.d_model], data: new Float32Array(model.cfg.d_model).fill(0.1) },
          positions: [1],
        },
      ];
      const hooks = ['logits', 'blocks.1.attn.hook_pattern', 'blocks.0.attn.hook_v'];
      const got = await onnx(model).run(batch, hooks, { interventions });
      const want = await new ReferenceRunner(model).run(batch, hooks, { interventions });
      for (const h of hooks) expect(maxAbsDiff(got.get(h)!, want.get(h)!)).toBeLessThan(1e-4);
      const clean = await onnx(model).run(batch, ['logits']);
      expect(maxAbsDiff(got.get('logits')!, clean.get('logits')!)).toBeGreaterThan(1e-3);
    }
  });

  it('rows: a different intervention per batch row equals running each row alone (ONNX and reference)', async () => {
    const model = gpt2Like;
    const tokens = randomTokens(11, 1, 9, 40)[0];
    const source = await onnx(model).run(randomTokens(12, 1, 9, 40), ['blocks.0.attn.hook_result', 'blocks.1.hook_mlp_out']);
    const perRow: Intervention[] = [
      { hook: 'blocks.0.attn.hook_result', kind: 'patch', head: 2, value: source.get('blocks.0.attn.hook_result')! },
      { hook: 'blocks.1.hook_mlp_out', kind: 'patch', value: source.get('blocks.1.hook_mlp_out')! },
      { hook: 'blocks.0.attn.hook_result', kind: 'zero', head: 0, positions: [3] },
    ];
    const batched = perRow.map((iv, row) => ({ ...iv, rows: [row] }));
    for (const runner of [onnx(model), new ReferenceRunner(model)]) {
      const together = (await runner.run([tokens, tokens, tokens], ['logits'], { interventions: batched })).get('logits')!;
      const width = together.data.length / 3;
      for (let row = 0; row < 3; row++) {
        const alone = (await runner.run([tokens], ['logits'], { interventions: [perRow[row]] })).get('logits')!;
        const slice = { shape: alone.shape, data: together.data.slice(row * width, (row + 1) * width) };
        expect(maxAbsDiff(slice, alone)).toBeLessThan(1e-5);
      }
    }
  });

  it('can set an attention pattern (ONNX): every query of a head attending to BOS only', async () => {
    const T = 9;
    const bosOnly = new Float32Array(4 * T * T);
    for (let h = 0; h < 4; h++) for (let q = 0; q < T; q++) bosOnly[(h * T + q) * T] = 1;
    const runner = onnx(gpt2Like);
    const got = await runner.run(batch, ['blocks.0.attn.hook_pattern', 'blocks.0.attn.hook_z', 'blocks.0.attn.hook_v'], {
      interventions: [{ hook: 'blocks.0.attn.hook_pattern', kind: 'patch', head: 2, value: { shape: [4, T, T], data: bosOnly } }],
    });
    // z of head 2 at every position is v at position 0.
    const z = got.get('blocks.0.attn.hook_z')!;
    const v = got.get('blocks.0.attn.hook_v')!;
    for (let b = 0; b < 2; b++)
      for (let t = 0; t < T; t++)
        for (let c = 0; c < 4; c++) expect(z.data[((b * T + t) * 4 + 2) * 4 + c]).toBeCloseTo(v.data[(b * T * 4 + 2) * 4 + c], 5);
  });
});

describe('causal check on the planted circuit', () => {
  it('ablating the planted previous-token head kills the planted induction head', async () => {
    const planted = buildPlantedModel();
    const runner = onnx(planted.model);
    const n = 30;
    const rng = makeRng(3);
    const r = Array.from({ length: n }, () => 100 + rng.int(PLANTED.dVocab - 100));
    const tokens = [[PLANTED.bosId, ...r, ...r]];
    const { layer, head } = planted.heads.induction;
    const hook = `blocks.${layer}.attn.hook_pattern`;
    const inductionScore = (pattern: Tensor) => {
      const T = 2 * n + 1;
      let sum = 0;
      // Second copy at positions d ∈ [n+1, 2n]: the token after the earlier occurrence is at d − n + 1.
      for (let d = n + 1; d <= 2 * n; d++) sum += pattern.data[(head * T + d) * T + d - n + 1];
      return sum / n;
    };
    const clean = inductionScore((await runner.run(tokens, [hook])).get(hook)!);
    const prev = planted.heads.previousToken;
    const ablated = inductionScore(
      (
        await runner.run(tokens, [hook], { interventions: [{ hook: `blocks.${prev.layer}.attn.hook_z`, kind: 'zero', head: prev.head }] })
      ).get(hook)!,
    );
    // Ablating the duplicate-token head instead leaves induction intact.
    const dup = planted.heads.duplicateToken;
    const control = inductionScore(
      (
        await runner.run(tokens, [hook], {
          interventions: [{ hook: `blocks.${dup.layer}.attn.hook_result`, kind: 'zero', head: dup.head }],
        })
      ).get(hook)!,
    );
    // (Not 1: the large attention scale still leaks a little onto near-matches of the random token vectors.)
    expect(clean).toBeGreaterThan(0.85);
    expect(Math.abs(control - clean)).toBeLessThan(0.02);
    expect(ablated).toBeLessThan(0.1);
  });
});

describe('bad interventions fail clearly', () => {
  const runner = onnx(gpt2Like);
  const cases: [string, Intervention, RegExp][] = [
    ['head out of range', { hook: 'blocks.0.attn.hook_z', kind: 'zero', head: 4 }, /head 4 is not in 0\.\.3/],
    ['neuron on a head hook', { hook: 'blocks.0.attn.hook_z', kind: 'zero', neuron: 1 }, /has no neuron axis/],
    ['position past the end', { hook: 'blocks.0.mlp.hook_post', kind: 'zero', positions: [9] }, /position 9 is not in 0\.\.8/],
    ['row past the batch', { hook: 'blocks.0.mlp.hook_post', kind: 'zero', rows: [0, 2] }, /row 2 is not in 0\.\.1/],
    ['mean without a value', { hook: 'blocks.0.mlp.hook_post', kind: 'mean' }, /needs a value/],
    [
      'value that does not broadcast',
      { hook: 'blocks.0.mlp.hook_post', kind: 'patch', value: { shape: [5], data: new Float32Array(5) } },
      /does not broadcast/,
    ],
    ['unknown hook', { hook: 'blocks.7.attn.hook_z', kind: 'zero' }, /unknown hook/],
    ['hook_pos_embed', { hook: 'hook_pos_embed', kind: 'zero' }, /not read by the forward pass/],
  ];
  for (const [name, iv, message] of cases) {
    it(name, async () => {
      await expect(runner.run(batch, ['logits'], { interventions: [iv] })).rejects.toThrow(message);
    });
  }
});
