import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelConfig, Tensor, WeightMap } from '../models/types';
import { loadLlama2c } from '../models/llama2c';
import { loadLlama2cTokenizer } from '../tokenizers/llama2c';
import { greedyDecode } from '../sampling/greedy';
import { repoPath } from '../../scripts/testing/shared-data';
import { ReferenceRunner, erf } from './reference';

/**
 * Hand-built models: weights from an integer hash (identical bits in Python and here), and the expected
 * last-position logits from an independent NumPy re-implementation of TransformerLens' forward
 * (einsum attention, np.repeat for grouped KV, rotate_half rotary, math.erf GELU), rounded to 1e-6.
 */
const BASE: ModelConfig = {
  model_name: 'hand-built',
  n_layers: 2,
  d_model: 8,
  n_heads: 2,
  n_key_value_heads: 2,
  d_head: 4,
  d_mlp: 12,
  d_vocab: 11,
  n_ctx: 6,
  attn_only: false,
  normalization_type: 'LN',
  positional_embedding_type: 'standard',
  rotary_dim: 4,
  rotary_base: 10000,
  act_fn: 'gelu',
  gated_mlp: false,
  parallel_attn_mlp: false,
  eps: 1e-5,
  bos_token_id: 1,
  eos_token_id: 2,
  original_architecture: 'test',
};

const VARIANTS: Record<string, { cfg: Partial<ModelConfig>; biases: boolean }> = {
  gpt2_like: { cfg: {}, biases: true },
  neox_like: {
    cfg: {
      positional_embedding_type: 'rotary',
      rotary_dim: 2,
      rotary_base: 100,
      parallel_attn_mlp: true,
      act_fn: 'gelu_new',
      n_heads: 2,
      n_key_value_heads: 1,
      d_head: 4,
    },
    biases: true,
  },
  llama_like: {
    cfg: {
      normalization_type: 'RMS',
      positional_embedding_type: 'rotary',
      rotary_dim: 2,
      act_fn: 'silu',
      gated_mlp: true,
      n_heads: 4,
      n_key_value_heads: 2,
      d_head: 2,
    },
    biases: false,
  },
  no_norm_relu: { cfg: { normalization_type: null, act_fn: 'relu', n_layers: 1 }, biases: true },
  solu: { cfg: { act_fn: 'solu_ln', n_layers: 1 }, biases: true },
  attn_only: { cfg: { attn_only: true, d_mlp: 0, act_fn: null, n_heads: 4, d_head: 2 }, biases: true },
};

/** NumPy's last-position logits for TOKENS (see the comment above). */
const EXPECTED_LAST_LOGITS: Record<string, number[][]> = {
  gpt2_like: [
    [-1.260139, 1.714056, 0.285421, -1.313671, -1.498669, 0.395354, 0.635554, -0.987586, 0.931657, -0.315614, 0.244959],
    [-0.614192, 1.35981, -0.045434, -0.916581, -1.489381, -0.23936, 1.05937, -1.081456, 1.42029, -0.646439, 0.899869],
  ],
  neox_like: [
    [1.326799, 0.271762, -0.553765, 0.702322, -0.188277, 0.205008, 0.503651, -0.941886, 0.604368, -0.125469, 0.021055],
    [0.377985, 0.265494, 0.442378, 0.503962, 0.916101, -0.518686, 0.714704, -1.820078, -0.037036, -1.359631, 0.697785],
  ],
  llama_like: [
    [-0.529888, -0.458846, 0.136873, -0.815796, -0.899348, -0.039424, -1.368331, 2.006285, -0.722934, -0.227467, -0.733897],
    [-1.094467, -0.360203, -0.64754, -0.392028, -0.350222, -0.04179, 0.373252, 0.180203, -0.77164, -0.574353, -0.120911],
  ],
  no_norm_relu: [
    [-0.03692, 0.650126, 0.146528, -0.682784, -1.111893, 0.290908, -0.006971, -0.003673, 0.974692, 0.075821, -0.064509],
    [-0.385888, -0.256483, 0.141584, -0.136118, -0.236045, 0.346111, 0.444428, -0.435229, 0.411423, -0.170385, -0.061535],
  ],
  solu: [
    [-0.274554, 1.417235, 0.495174, -1.005833, -1.202898, 0.492275, -0.083421, -0.576463, 0.846983, -0.284827, -0.226565],
    [0.11802, 0.188461, -0.5573, -0.524232, -1.98597, 0.218013, 1.023142, -0.589289, 1.604473, -0.979733, 0.154297],
  ],
  attn_only: [
    [1.016162, 0.477984, -0.499216, -0.318675, -1.554623, -0.770322, 0.046641, 0.84197, 1.767585, 0.404464, 0.945032],
    [0.511881, -0.166461, 1.035116, 1.698099, 2.32919, -0.256387, -0.539724, -1.008173, -1.782332, -0.254247, 0.22026],
  ],
};
const TOKENS = [
  [1, 4, 7, 2, 9],
  [3, 3, 10, 0, 5],
];

function hashValues(name: string, n: number, kind: 'mat' | 'norm' | 'bias'): Float32Array {
  const h = [...name].reduce((s, c) => s + c.charCodeAt(0), 0) % 997;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let u = (Math.imul(i, 2654435761) + Math.imul(h, 97531)) >>> 0;
    u = (u ^ (u >>> 16)) >>> 0;
    u = Math.imul(u, 0x45d9f3b) >>> 0;
    u = (u ^ (u >>> 16)) >>> 0;
    const v = u / 2 ** 32 - 0.5;
    out[i] = kind === 'norm' ? 1 + 0.4 * v : kind === 'bias' ? 0.2 * v : v;
  }
  return out;
}

function handBuilt(variant: keyof typeof VARIANTS): { cfg: ModelConfig; weights: WeightMap } {
  const { cfg: overrides, biases } = VARIANTS[variant];
  const cfg: ModelConfig = { ...BASE, ...overrides, model_name: variant };
  const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
  const weights: WeightMap = new Map();
  const put = (name: string, shape: number[], kind: 'mat' | 'norm' | 'bias' = 'mat') =>
    weights.set(name, {
      shape,
      data: hashValues(
        name,
        shape.reduce((a, b) => a * b, 1),
        kind,
      ),
    });
  const norm = cfg.normalization_type;
  put('embed.W_E', [V, D]);
  if (cfg.positional_embedding_type === 'standard') put('pos_embed.W_pos', [cfg.n_ctx, D]);
  for (let l = 0; l < cfg.n_layers; l++) {
    const b = `blocks.${l}`;
    if (norm) put(`${b}.ln1.w`, [D], 'norm');
    if (norm === 'LN') put(`${b}.ln1.b`, [D], 'bias');
    put(`${b}.attn.W_Q`, [H, D, dh]);
    put(`${b}.attn.W_K`, [KV, D, dh]);
    put(`${b}.attn.W_V`, [KV, D, dh]);
    put(`${b}.attn.W_O`, [H, dh, D]);
    if (biases) {
      put(`${b}.attn.b_Q`, [H, dh], 'bias');
      put(`${b}.attn.b_K`, [KV, dh], 'bias');
      put(`${b}.attn.b_V`, [KV, dh], 'bias');
      put(`${b}.attn.b_O`, [D], 'bias');
    }
    if (!cfg.attn_only) {
      if (norm) put(`${b}.ln2.w`, [D], 'norm');
      if (norm === 'LN') put(`${b}.ln2.b`, [D], 'bias');
      put(`${b}.mlp.W_in`, [D, M]);
      put(`${b}.mlp.W_out`, [M, D]);
      if (cfg.gated_mlp) put(`${b}.mlp.W_gate`, [D, M]);
      if (biases || cfg.gated_mlp) put(`${b}.mlp.b_in`, [M], 'bias');
      if (biases) put(`${b}.mlp.b_out`, [D], 'bias');
      if (cfg.act_fn === 'solu_ln') {
        put(`${b}.mlp.ln.w`, [M], 'norm');
        put(`${b}.mlp.ln.b`, [M], 'bias');
      }
    }
  }
  if (norm) put('ln_final.w', [D], 'norm');
  if (norm === 'LN') put('ln_final.b', [D], 'bias');
  put('unembed.W_U', [D, V]);
  if (biases) put('unembed.b_U', [V], 'bias');
  return { cfg, weights };
}

function lastPosition(t: Tensor, batchIndex: number): number[] {
  const [, P, V] = t.shape;
  return Array.from(t.data.subarray((batchIndex * P + P - 1) * V, (batchIndex * P + P) * V));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

describe('ReferenceRunner on hand-built models (vs an independent NumPy TransformerLens forward)', () => {
  for (const variant of Object.keys(VARIANTS)) {
    it(`${variant}: last-position logits match to 2e-6`, async () => {
      const runner = new ReferenceRunner(handBuilt(variant));
      const cache = await runner.run(TOKENS, ['logits']);
      const logits = cache.get('logits')!;
      expect(logits.shape).toEqual([2, 5, 11]);
      for (let b = 0; b < 2; b++) expect(maxAbsDiff(lastPosition(logits, b), EXPECTED_LAST_LOGITS[variant][b])).toBeLessThan(2e-6);
    });
  }

  it('incremental decoding (KV cache) gives the same logits as a full run, for every architecture', async () => {
    for (const variant of Object.keys(VARIANTS)) {
      const runner = new ReferenceRunner(handBuilt(variant));
      const full = (await runner.run([TOKENS[1]], ['logits'])).get('logits')!;
      const sequence = runner.startSequence();
      const first = sequence.append(TOKENS[1].slice(0, 2));
      const rest = TOKENS[1].slice(2).map((t) => sequence.append([t]));
      const incremental = [first.data, ...rest.map((r) => r.data)].flatMap((d) => Array.from(d));
      expect(maxAbsDiff(incremental, full.data), variant).toBeLessThan(1e-6);
      expect(sequence.length).toBe(5);
    }
  });
});

describe('ReferenceRunner hooks follow TransformerLens', () => {
  it('lists exactly the hooks TransformerLens has for each architecture', () => {
    const hooks = (v: string) => new ReferenceRunner(handBuilt(v)).hookNames();
    expect(hooks('gpt2_like')).toContain('hook_pos_embed');
    expect(hooks('gpt2_like')).toContain('blocks.1.hook_resid_mid');
    expect(hooks('gpt2_like')).not.toContain('blocks.0.attn.hook_rot_q');
    expect(hooks('neox_like')).not.toContain('blocks.0.hook_resid_mid'); // parallel attn+MLP
    expect(hooks('neox_like')).toContain('blocks.0.attn.hook_rot_k');
    expect(hooks('llama_like')).toContain('blocks.1.mlp.hook_pre_linear');
    expect(hooks('attn_only')).not.toContain('blocks.0.hook_resid_mid');
    expect(hooks('attn_only')).not.toContain('blocks.0.hook_mlp_out');
    expect(hooks('solu')).toContain('blocks.0.mlp.hook_mid');
    expect(hooks('no_norm_relu')).not.toContain('ln_final.hook_normalized');
    expect(hooks('attn_only')).toEqual([
      'hook_embed',
      'hook_pos_embed',
      ...[0, 1].flatMap((l) => [
        `blocks.${l}.hook_resid_pre`,
        `blocks.${l}.ln1.hook_scale`,
        `blocks.${l}.ln1.hook_normalized`,
        `blocks.${l}.attn.hook_q`,
        `blocks.${l}.attn.hook_k`,
        `blocks.${l}.attn.hook_v`,
        `blocks.${l}.attn.hook_attn_scores`,
        `blocks.${l}.attn.hook_pattern`,
        `blocks.${l}.attn.hook_z`,
        `blocks.${l}.attn.hook_result`,
        `blocks.${l}.hook_attn_out`,
        `blocks.${l}.hook_resid_post`,
      ]),
      'ln_final.hook_scale',
      'ln_final.hook_normalized',
      'logits',
    ]);
  });

  it('shapes, causal masking and the sums that tie hooks together (grouped-query rotary model)', async () => {
    const model = handBuilt('llama_like');
    const runner = new ReferenceRunner(model);
    const cache = await runner.run(TOKENS, runner.hookNames());
    expect(cache.size).toBe(runner.hookNames().length);
    const get = (name: string) => cache.get(name)!;
    expect(get('blocks.0.attn.hook_q').shape).toEqual([2, 5, 4, 2]);
    expect(get('blocks.0.attn.hook_k').shape).toEqual([2, 5, 2, 2]); // n_key_value_heads, not repeated
    expect(get('blocks.0.attn.hook_rot_k').shape).toEqual([2, 5, 2, 2]);
    expect(get('blocks.0.attn.hook_pattern').shape).toEqual([2, 4, 5, 5]);
    expect(get('blocks.0.attn.hook_result').shape).toEqual([2, 5, 4, 8]);
    expect(get('blocks.0.mlp.hook_post').shape).toEqual([2, 5, 12]);
    expect(get('ln_final.hook_scale').shape).toEqual([2, 5, 1]);

    // Rotation leaves position 0 alone and moves later positions.
    const q = get('blocks.0.attn.hook_q').data;
    const rotQ = get('blocks.0.attn.hook_rot_q').data;
    expect(maxAbsDiff(q.subarray(0, 8), rotQ.subarray(0, 8))).toBe(0);
    expect(maxAbsDiff(q.subarray(8, 16), rotQ.subarray(8, 16))).toBeGreaterThan(1e-3);

    const pattern = get('blocks.1.attn.hook_pattern').data;
    const scores = get('blocks.1.attn.hook_attn_scores').data;
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < 4; h++)
        for (let qi = 0; qi < 5; qi++) {
          const row = ((b * 4 + h) * 5 + qi) * 5;
          let sum = 0;
          for (let k = 0; k < 5; k++) {
            sum += pattern[row + k];
            if (k > qi) {
              expect(pattern[row + k]).toBe(0);
              expect(scores[row + k]).toBe(-Infinity);
            } else {
              expect(Number.isFinite(scores[row + k])).toBe(true);
            }
          }
          expect(sum).toBeCloseTo(1, 6);
        }

    // resid_post = resid_mid + mlp_out; resid_mid = resid_pre + attn_out; attn_out = Σ_h result (no b_O here).
    const add = (a: Float32Array, b: Float32Array) => a.map((x, i) => x + b[i]);
    expect(
      maxAbsDiff(add(get('blocks.0.hook_resid_pre').data, get('blocks.0.hook_attn_out').data), get('blocks.0.hook_resid_mid').data),
    ).toBeLessThan(1e-6);
    expect(
      maxAbsDiff(add(get('blocks.1.hook_resid_mid').data, get('blocks.1.hook_mlp_out').data), get('blocks.1.hook_resid_post').data),
    ).toBeLessThan(1e-6);
    const result = get('blocks.1.attn.hook_result').data;
    const summed = new Float32Array(2 * 5 * 8);
    for (let bp = 0; bp < 10; bp++)
      for (let h = 0; h < 4; h++) for (let d = 0; d < 8; d++) summed[bp * 8 + d] += result[(bp * 4 + h) * 8 + d];
    expect(maxAbsDiff(summed, get('blocks.1.hook_attn_out').data)).toBeLessThan(1e-6);

    // RMSNorm: hook_normalized is before the weight (TransformerLens), so logits = (normalized * w) @ W_U.
    const normalized = get('ln_final.hook_normalized').data;
    const w = model.weights.get('ln_final.w')!.data;
    const W_U = model.weights.get('unembed.W_U')!.data;
    const logits = get('logits').data;
    for (const v of [0, 7, 10]) {
      let dot = 0;
      for (let d = 0; d < 8; d++) dot += normalized[d] * w[d] * W_U[d * 11 + v];
      expect(logits[v]).toBeCloseTo(dot, 5);
    }
    // Gated MLP: post = silu(pre) * pre_linear + b_in.
    const pre = get('blocks.0.mlp.hook_pre').data[3];
    const preLinear = get('blocks.0.mlp.hook_pre_linear').data[3];
    const bIn = model.weights.get('blocks.0.mlp.b_in')!.data[3];
    expect(get('blocks.0.mlp.hook_post').data[3]).toBeCloseTo((pre / (1 + Math.exp(-pre))) * preLinear + bIn, 6);
  });

  it('LayerNorm: hook_normalized includes w and b; hook_scale is sqrt(var + eps)', async () => {
    const model = handBuilt('gpt2_like');
    const cache = await new ReferenceRunner(model).run(
      [TOKENS[0]],
      ['blocks.0.hook_resid_pre', 'blocks.0.ln1.hook_scale', 'blocks.0.ln1.hook_normalized'],
    );
    const x = Array.from(cache.get('blocks.0.hook_resid_pre')!.data.subarray(0, 8));
    const mean = x.reduce((a, b) => a + b) / 8;
    const scale = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / 8 + 1e-5);
    expect(cache.get('blocks.0.ln1.hook_scale')!.data[0]).toBeCloseTo(scale, 6);
    const w = model.weights.get('blocks.0.ln1.w')!.data;
    const b = model.weights.get('blocks.0.ln1.b')!.data;
    expect(cache.get('blocks.0.ln1.hook_normalized')!.data[2]).toBeCloseTo(((x[2] - mean) / scale) * w[2] + b[2], 6);
  });
});

describe('ReferenceRunner on stories260K (llama2.c)', () => {
  const dir = repoPath('data/models/stories260K');

  it('greedy decoding from BOS for 200 steps prints exactly llama2.c reference output', async () => {
    const model = await loadLlama2c(`${dir}/stories260K.bin`);
    const tokenizer = await loadLlama2cTokenizer(`${dir}/tok512.bin`);
    const runner = new ReferenceRunner(model);
    const started = performance.now();
    // llama2.c's run: stop at BOS; print with the first token's leading space dropped (after BOS).
    const generated = greedyDecode(runner, [tokenizer.bosId], 200, { stopAt: [tokenizer.bosId] });
    const seconds = (performance.now() - started) / 1000;
    expect(generated).toHaveLength(200);
    const expected = fs.readFileSync(`${dir}/stories260K.expected.txt`, 'utf8');
    expect(tokenizer.decode([tokenizer.bosId, ...generated])).toBe(expected);
    expect(generated.slice(0, 8)).toEqual([403, 407, 261, 378, 432, 383, 286, 261]); // ▁Once ▁upon ▁a ▁time , ▁there ▁was ▁a
    expect(seconds).toBeLessThan(10);

    // The same tokens, teacher-forced through run() (no KV cache): the argmax at every position is the next token.
    const sequence = [tokenizer.bosId, ...generated];
    const logits = (await runner.run([sequence], ['logits'])).get('logits')!;
    expect(logits.shape).toEqual([1, 201, 512]);
    for (let p = 0; p < 200; p++) expect(argmax(logits.data.subarray(p * 512, (p + 1) * 512))).toBe(sequence[p + 1]);
  });

  it('a batch of two sequences gives each sequence its own single-sequence result', async () => {
    const runner = new ReferenceRunner(await loadLlama2c(`${dir}/stories260K.bin`));
    const a = [1, 403, 407, 261, 378];
    const b = [1, 392, 412, 444, 426];
    const hooks = ['blocks.4.attn.hook_pattern', 'logits'];
    const batch = await runner.run([a, b], hooks);
    const single = await runner.run([b], hooks);
    for (const hook of hooks) {
      const whole = batch.get(hook)!;
      const half = whole.data.length / 2;
      expect(whole.shape[0]).toBe(2);
      expect(maxAbsDiff(whole.data.subarray(half), single.get(hook)!.data)).toBe(0);
    }
  });
});

describe('ReferenceRunner errors name what was wrong', () => {
  const runner = new ReferenceRunner(handBuilt('gpt2_like'));
  it('rejects unknown hooks, bad tokens, ragged batches and too-long input', async () => {
    await expect(runner.run([[1, 2]], ['blocks.0.attn.hook_rot_q'])).rejects.toThrow(/unknown hook\(s\) "blocks.0.attn.hook_rot_q"/);
    await expect(runner.run([[1, 11]], ['logits'])).rejects.toThrow(/token 11 at sequence 0, position 1 is not an id in 0..10/);
    await expect(runner.run([[1, 2], [1]], ['logits'])).rejects.toThrow(/equal lengths/);
    await expect(runner.run([[1, 2, 3, 4, 5, 6, 7]], ['logits'])).rejects.toThrow(/7 positions exceed the model's context n_ctx = 6/);
    await expect(runner.run([], ['logits'])).rejects.toThrow(/non-empty batch/);
    const sequence = runner.startSequence();
    sequence.append([1, 2, 3, 4]);
    expect(() => sequence.append([5, 6, 7])).toThrow(/7 positions exceed/);
  });

  it('rejects weights that do not match the config', () => {
    const model = handBuilt('gpt2_like');
    model.weights.delete('blocks.1.mlp.W_out');
    model.weights.set('blocks.0.attn.W_Q', { shape: [2, 8, 3], data: new Float32Array(48) });
    expect(() => new ReferenceRunner(model)).toThrow(/missing blocks.1.mlp.W_out \[12, 8\]/);
    expect(() => new ReferenceRunner(model)).toThrow(/blocks.0.attn.W_Q has shape \[2, 8, 3\] \(48 values\), expected \[2, 8, 4\]/);
    const bad = handBuilt('gpt2_like');
    expect(() => new ReferenceRunner({ ...bad, cfg: { ...bad.cfg, act_fn: 'swish' as ModelConfig['act_fn'] } })).toThrow(
      /unsupported act_fn "swish"/,
    );
  });
});

describe('erf', () => {
  it('matches known values to double precision', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 14);
    expect(erf(7)).toBe(1);
  });
});
