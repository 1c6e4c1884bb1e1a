import { describe, expect, it } from 'vitest';
import type { CanonicalModel, ModelConfig } from '../models/types';
import { makeRng } from '../sampling/random';
import { allHookNames } from './hooks';
import { buildOnnxModel } from './onnx-graph';
import { OnnxRunner } from './onnx-runner';
import { randomModel } from './random-model';
import { weightBytes, weightFeeds } from './weight-feeds';

function tokens(seed: number, batch: number, pos: number, vocab: number): number[][] {
  const rng = makeRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(vocab)));
}

const shapes: Array<[string, Partial<ModelConfig>]> = [
  ['GPT-2-like (LN, standard positions, biases)', { d_model: 32, n_heads: 4, d_head: 8, d_mlp: 64 }],
  [
    'Llama-like (RMS, rotary, GQA 4/2, SwiGLU)',
    {
      normalization_type: 'RMS',
      positional_embedding_type: 'rotary',
      rotary_dim: 4,
      n_key_value_heads: 2,
      gated_mlp: true,
      act_fn: 'silu',
    },
  ],
  [
    'NeoX-like (parallel attention, partial rotary)',
    { positional_embedding_type: 'rotary', rotary_dim: 2, parallel_attn_mlp: true, act_fn: 'gelu' },
  ],
];

describe('weights as graph inputs', () => {
  it.each(shapes)('%s: every hook equals the initializer graph bit for bit', async (_, cfg) => {
    const model = randomModel(cfg, { seed: 5 });
    const batch = tokens(3, 2, 9, model.cfg.d_vocab);
    const hooks = allHookNames(model.cfg);
    const inputs = new OnnxRunner(model, { weightStorage: 'inputs' });
    const initializers = new OnnxRunner(model, { weightStorage: 'initializers' });
    try {
      const [a, b] = await Promise.all([inputs.run(batch, hooks), initializers.run(batch, hooks)]);
      const unequal = hooks.filter((h) => {
        const x = a.get(h)!.data;
        const y = b.get(h)!.data;
        return x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]));
      });
      expect(unequal).toEqual([]);
    } finally {
      await Promise.all([inputs.dispose(), initializers.dispose()]);
    }
  });

  it("the benchmarks' session settings (no arena, no memory pattern, no prepacking) change no hook bit", async () => {
    const model = randomModel(shapes[0][1], { seed: 6 });
    const batch = tokens(4, 2, 9, model.cfg.d_vocab);
    const hooks = allHookNames(model.cfg);
    const plain = new OnnxRunner(model, { weightStorage: 'initializers' });
    const varied = new OnnxRunner(model, { weightStorage: 'initializers', cpuMemArena: false, memPattern: false, disablePrepacking: true });
    try {
      const [a, b] = await Promise.all([plain.run(batch, hooks), varied.run(batch, hooks)]);
      expect(hooks.filter((h) => a.get(h)!.data.some((v, i) => !Object.is(v, b.get(h)!.data[i])))).toEqual([]);
    } finally {
      await Promise.all([plain.dispose(), varied.dispose()]);
    }
  });

  it('serialises no weights: the graph is a small fraction of the weights, initializers carry them all', () => {
    const model = randomModel({ d_model: 64, d_mlp: 256, d_vocab: 500, n_layers: 3, n_heads: 4, d_head: 16 }, { seed: 1 });
    const request = { hooks: ['logits'] };
    const withInputs = buildOnnxModel(model, { ...request, weights: 'inputs' });
    const withInitializers = buildOnnxModel(model, { ...request, weights: 'initializers' });
    expect(withInitializers.bytes.byteLength).toBeGreaterThan(weightBytes(model));
    expect(withInputs.bytes.byteLength).toBeLessThan(weightBytes(model) / 20);
    // Every weight the forward reads is an input to feed, and nothing else is.
    expect(new Set(withInputs.weightInputs)).toEqual(new Set(model.weights.keys()));
    expect(withInitializers.weightInputs).toEqual([]);
  });

  it('a pruned graph asks only for the weights it reads', () => {
    const model = randomModel({ n_layers: 3 }, { seed: 1 });
    const { weightInputs } = buildOnnxModel(model, { hooks: ['blocks.0.attn.hook_pattern'] });
    expect(weightInputs.some((n) => n.startsWith('blocks.1.') || n.startsWith('unembed.') || n.includes('mlp'))).toBe(false);
    expect(weightInputs).toContain('blocks.0.attn.W_Q');
  });

  it('every session and every runner of a model reads the same arrays: one copy of the weights by construction', async () => {
    const model = randomModel({}, { seed: 2 });
    const names = [...model.weights.keys()];
    const a = weightFeeds(model, names);
    const b = weightFeeds(model, names);
    for (const name of names) {
      expect(a[name]).toBe(b[name]); // one ort.Tensor per weight, shared
      expect(a[name].data).toBe(model.weights.get(name)!.data); // wrapping the model's own Float32Array
    }
    // Sessions hold no copy: changing a weight in place changes what an already-built session computes.
    const runner1 = new OnnxRunner(model);
    const runner2 = new OnnxRunner(model);
    try {
      const input = [[1, 2, 3]];
      const before = (await runner1.run(input, ['logits'])).get('logits')!.data.slice();
      await runner2.run(input, ['logits', 'blocks.0.hook_resid_post']); // another hook set, another session
      model.weights.get('unembed.W_U')!.data.fill(0);
      const after1 = (await runner1.run(input, ['logits'])).get('logits')!.data;
      const after2 = (await runner2.run(input, ['logits', 'blocks.0.hook_resid_post'])).get('logits')!.data;
      const bias = model.weights.get('unembed.b_U')!.data;
      expect(before.some((v, i) => v !== bias[i % bias.length])).toBe(true);
      // W_U = 0: logits are the unembedding bias at every position, in both sessions.
      expect(Array.from(after1)).toEqual(Array.from(after1, (_, i) => bias[i % bias.length]));
      expect(Array.from(after2)).toEqual(Array.from(after1));
    } finally {
      await Promise.all([runner1.dispose(), runner2.dispose()]);
    }
  });

  it('a weight replaced by a new array is fed from the new array', async () => {
    const model: CanonicalModel = randomModel({}, { seed: 4 });
    const runner = new OnnxRunner(model);
    try {
      await runner.run([[1, 2]], ['logits']);
      const W_U = model.weights.get('unembed.W_U')!;
      model.weights.set('unembed.W_U', { shape: W_U.shape, data: new Float32Array(W_U.data.length) });
      const logits = (await runner.run([[1, 2]], ['logits'])).get('logits')!.data;
      const bias = model.weights.get('unembed.b_U')!.data;
      expect(Array.from(logits)).toEqual(Array.from(logits, (_, i) => bias[i % bias.length]));
    } finally {
      await runner.dispose();
    }
  });
});
