import { afterAll, describe, expect, it } from 'vitest';
import type { CanonicalModel, ModelConfig, Tensor } from './types';
import { processWeights, NO_PROCESSING } from './process-weights';
import { OnnxRunner } from '../engine/onnx-runner';
import { ReferenceRunner } from '../engine/reference';
import { randomModel } from '../engine/random-model';
import { makeRng } from '../sampling/random';

const runners: OnnxRunner[] = [];
afterAll(() => Promise.all(runners.map((r) => r.dispose())));

async function logits(model: CanonicalModel, tokens: number[][]): Promise<Tensor> {
  const runner = new OnnxRunner(model);
  runners.push(runner);
  return (await runner.run(tokens, ['logits'])).get('logits')!;
}

function tokens(seed: number, batch: number, pos: number, vocab: number): number[][] {
  const rng = makeRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(vocab)));
}

/** Per row of the last axis: the log-softmax. */
function logSoftmax(t: Tensor): Float64Array {
  const V = t.shape[t.shape.length - 1];
  const out = new Float64Array(t.data.length);
  for (let r = 0; r < t.data.length / V; r++) {
    const row = t.data.subarray(r * V, (r + 1) * V);
    const max = Math.max(...row);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    const lse = max + Math.log(sum);
    for (let i = 0; i < V; i++) out[r * V + i] = row[i] - lse;
  }
  return out;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** After removing each position's mean difference, how far apart two logit tensors are. */
function maxDiffUpToRowConstant(a: Tensor, b: Tensor): { constantPart: number; rest: number } {
  const V = a.shape[a.shape.length - 1];
  let constantPart = 0;
  let rest = 0;
  for (let r = 0; r < a.data.length / V; r++) {
    let mean = 0;
    for (let i = 0; i < V; i++) mean += a.data[r * V + i] - b.data[r * V + i];
    mean /= V;
    constantPart = Math.max(constantPart, Math.abs(mean));
    for (let i = 0; i < V; i++) rest = Math.max(rest, Math.abs(a.data[r * V + i] - b.data[r * V + i] - mean));
  }
  return { constantPart, rest };
}

const ARCHITECTURES: Record<string, Partial<ModelConfig>> = {
  'GPT-2-like (LN, learned positions, gelu_new)': { normalization_type: 'LN', positional_embedding_type: 'standard', act_fn: 'gelu_new' },
  'NeoX/Pythia-like (LN, parallel attn+MLP, partial rotary)': {
    normalization_type: 'LN',
    positional_embedding_type: 'rotary',
    rotary_dim: 2,
    parallel_attn_mlp: true,
    act_fn: 'gelu',
  },
  'Llama-like (RMS, rotary, SwiGLU, GQA 4/2)': {
    normalization_type: 'RMS',
    positional_embedding_type: 'rotary',
    rotary_dim: 4,
    gated_mlp: true,
    act_fn: 'silu',
    n_key_value_heads: 2,
  },
  'SoLU (LN, solu_ln with mlp.ln)': { normalization_type: 'LN', act_fn: 'solu_ln', n_layers: 3 },
};

describe('processWeights leaves the output distribution unchanged', () => {
  for (const [name, overrides] of Object.entries(ARCHITECTURES)) {
    it(name, async () => {
      const model = randomModel(overrides, { seed: 11 });
      const batch = tokens(3, 2, 10, model.cfg.d_vocab);
      const before = await logits(model, batch);

      const all = processWeights(model);
      const after = await logits(all.model, batch);
      expect(maxAbs(logSoftmax(before), logSoftmax(after))).toBeLessThan(1e-4);
      // Centering the unembedding moves every position's logits by one constant, and nothing else.
      const { constantPart, rest } = maxDiffUpToRowConstant(before, after);
      expect(rest).toBeLessThan(1e-4);
      expect(constantPart).toBeGreaterThan(1e-3);

      // Without centring the unembedding, the logits themselves are unchanged.
      const noUnembedCentre = processWeights(model, { center_unembed: false });
      expect(maxAbs((await logits(noUnembedCentre.model, batch)).data, before.data)).toBeLessThan(1e-4);

      // The reference forward agrees on the processed model too (LNPre / RMSPre in both engines).
      const ref = (await new ReferenceRunner(all.model).run(batch, ['logits'])).get('logits')!;
      expect(maxAbs(ref.data, after.data)).toBeLessThan(1e-4);
    });
  }

  it('does not modify the model it is given', () => {
    const model = randomModel({}, { seed: 2 });
    const copy = new Map([...model.weights].map(([k, t]) => [k, Float32Array.from(t.data)]));
    processWeights(model);
    expect(model.cfg.normalization_type).toBe('LN');
    for (const [k, t] of model.weights) expect(t.data).toEqual(copy.get(k));
    expect([...model.weights.keys()]).toEqual([...copy.keys()]);
  });
});

describe('processWeights gives TransformerLens conventions', () => {
  const meanAlongLast = (t: Tensor): number[] => {
    const n = t.shape[t.shape.length - 1];
    return Array.from({ length: t.data.length / n }, (_, r) => t.data.subarray(r * n, (r + 1) * n).reduce((a, b) => a + b, 0) / n);
  };
  const maxAbsValue = (xs: ArrayLike<number>) => Math.max(...Array.from(xs, Math.abs));

  it('LN model: LNPre, norm weights gone, writers centred over d_model, readers centred, b_V zero, W_U centred over vocab', () => {
    const { model, applied } = processWeights(randomModel({ normalization_type: 'LN' }, { seed: 5 }));
    expect(applied).toEqual({ fold_ln: true, center_writing_weights: true, center_unembed: true, fold_value_biases: true, skipped: {} });
    expect(model.cfg.normalization_type).toBe('LNPre');
    expect([...model.weights.keys()].filter((k) => /ln(1|2|_final)\.(w|b)$/.test(k))).toEqual([]);
    const w = (k: string) => model.weights.get(k)!;
    for (const writer of [
      'embed.W_E',
      'pos_embed.W_pos',
      'blocks.0.attn.W_O',
      'blocks.1.attn.b_O',
      'blocks.1.mlp.W_out',
      'blocks.0.mlp.b_out',
    ]) {
      expect(maxAbsValue(meanAlongLast(w(writer)))).toBeLessThan(1e-6);
    }
    // Readers: mean over d_model (axis -2 of W_Q [head, d_model, d_head]) is zero.
    const W_Q = w('blocks.1.attn.W_Q');
    const [H, D, dh] = W_Q.shape;
    for (let h = 0; h < H; h++)
      for (let c = 0; c < dh; c++) {
        let s = 0;
        for (let i = 0; i < D; i++) s += W_Q.data[(h * D + i) * dh + c];
        expect(Math.abs(s / D)).toBeLessThan(1e-6);
      }
    expect(maxAbsValue(w('blocks.0.attn.b_V').data)).toBe(0);
    // center_unembed: every row of W_U [d_model, d_vocab] has mean 0 over the vocabulary; so has b_U.
    expect(maxAbsValue(meanAlongLast(w('unembed.W_U')))).toBeLessThan(1e-6);
    expect(maxAbsValue(meanAlongLast(w('unembed.b_U')))).toBeLessThan(1e-6);
  });

  it('RMS model: RMSPre, writing weights not centred (recorded as skipped), GQA value biases folded', () => {
    const original = randomModel({ normalization_type: 'RMS', n_key_value_heads: 2, gated_mlp: true, act_fn: 'silu' }, { seed: 6 });
    const { model, applied } = processWeights(original);
    expect(model.cfg.normalization_type).toBe('RMSPre');
    expect(applied.fold_ln).toBe(true);
    expect(applied.center_writing_weights).toBe(false);
    expect(applied.skipped.center_writing_weights).toMatch(/LayerNorm/);
    expect(model.weights.get('embed.W_E')).toBe(original.weights.get('embed.W_E'));
    expect(model.weights.get('blocks.0.attn.b_V')!.shape).toEqual([2, 4]);
    expect(maxAbsValue(model.weights.get('blocks.0.attn.b_V')!.data)).toBe(0);
  });

  it('records exactly the steps asked for; models without normalization skip fold_ln', () => {
    const none = processWeights(randomModel({}, { seed: 1 }), NO_PROCESSING);
    expect(none.applied).toEqual({ ...NO_PROCESSING, skipped: {} });
    const unnormed = processWeights(randomModel({ normalization_type: null }, { seed: 1 }));
    expect(unnormed.applied.fold_ln).toBe(false);
    expect(unnormed.applied.skipped.fold_ln).toMatch(/no normalization/);
    expect(unnormed.applied.center_writing_weights).toBe(false);
    expect(unnormed.applied.center_unembed).toBe(true);
  });
});

describe('processWeights on a hand-computed case', () => {
  it('folds ln1 into W_Q / b_Q, centres, and folds b_V through W_O into b_O', () => {
    // d_model 2, one head of d_head 1, one attention-only layer.
    const model = randomModel(
      { n_layers: 1, d_model: 2, n_heads: 1, d_head: 1, n_key_value_heads: 1, attn_only: true, d_vocab: 3 },
      { seed: 1 },
    );
    const set = (name: string, shape: number[], values: number[]) => model.weights.set(name, { shape, data: Float32Array.from(values) });
    set('blocks.0.ln1.w', [2], [2, 3]);
    set('blocks.0.ln1.b', [2], [1, -1]);
    set('blocks.0.attn.W_Q', [1, 2, 1], [1, 2]);
    set('blocks.0.attn.b_Q', [1, 1], [0]);
    set('blocks.0.attn.W_V', [1, 2, 1], [1, 1]);
    set('blocks.0.attn.b_V', [1, 1], [0.5]);
    set('blocks.0.attn.W_O', [1, 1, 2], [1, 3]);
    set('blocks.0.attn.b_O', [2], [0, 0]);
    const { model: p } = processWeights(model);
    const get = (name: string) => Array.from(p.weights.get(name)!.data);
    // W_Q·w = [2, 6], centred over d_model → [-2, 2]; b_Q = 0 + 1·1 + 2·(−1) = −1.
    expect(get('blocks.0.attn.W_Q')).toEqual([-2, 2]);
    expect(get('blocks.0.attn.b_Q')).toEqual([-1]);
    // W_V·w = [2, 3] → [-0.5, 0.5]; b_V = 0.5 + 1·1 + 1·(−1) = 0.5, then folded away.
    expect(get('blocks.0.attn.W_V')).toEqual([-0.5, 0.5]);
    expect(get('blocks.0.attn.b_V')).toEqual([0]);
    // W_O centred over d_model: [1, 3] → [-1, 1]; b_O = centred [0, 0] + 0.5 · [-1, 1].
    expect(get('blocks.0.attn.W_O')).toEqual([-1, 1]);
    expect(get('blocks.0.attn.b_O')).toEqual([-0.5, 0.5]);
  });
});

describe('processWeights in place', () => {
  it.each([
    ['LN with biases', { d_model: 16 }],
    ['RMS gated', { normalization_type: 'RMS' as const, gated_mlp: true, act_fn: 'silu' as const }],
  ])("%s: the same weights as the copying version, written into the model's own arrays", (_, cfg) => {
    const copied = processWeights(randomModel(cfg, { seed: 8 }));
    const source = randomModel(cfg, { seed: 8 });
    const arrays = new Map([...source.weights].map(([name, t]) => [name, t.data]));
    const inPlace = processWeights(source, {}, { inPlace: true });
    expect(inPlace.model.cfg).toEqual(copied.model.cfg);
    expect(inPlace.applied).toEqual(copied.applied);
    expect([...inPlace.model.weights.keys()].sort()).toEqual([...copied.model.weights.keys()].sort());
    for (const [name, t] of copied.model.weights)
      expect(Array.from(inPlace.model.weights.get(name)!.data), name).toEqual(Array.from(t.data));
    // Every matrix is the loaded array, rewritten: no second copy of the weights was made.
    const matrices = [...inPlace.model.weights].filter(([name]) => /\.W_/.test(name)); // biases are small, rebuilt
    expect(matrices.length).toBeGreaterThan(5);
    for (const [name, t] of matrices) expect(t.data, name).toBe(arrays.get(name));
  });
});
