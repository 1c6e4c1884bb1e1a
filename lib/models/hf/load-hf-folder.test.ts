import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { randomModel } from '../../engine/random-model';
import { ReferenceRunner } from '../../engine/reference';
import { makeRng } from '../../sampling/random';
import { repoPath, sharedDataPath, withoutSharedData } from '../../../scripts/testing/shared-data';
import { loadLlama2c } from '../llama2c';
import { roundToDtype, serializeSafetensors, type WritableDtype } from '../safetensors-write';
import type { CanonicalModel, ModelConfig, Tensor } from '../types';
import type { HfFamily } from './common';
import { gpt2Family } from './gpt2';
import { gptNeoFamily } from './gpt-neo';
import { gptNeoxFamily } from './gpt-neox';
import { llamaFamily } from './llama';
import { loadHfFolder } from './load-hf-folder';
import { writeHfFolder } from './write-hf-folder';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-hf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function lastLogitsDiff(logits: Tensor, reference: number[]): number {
  const [, P, V] = logits.shape;
  let worst = 0;
  for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(logits.data[(P - 1) * V + v] - reference[v]));
  return worst;
}

function argmaxPerPosition(logits: Tensor): number[] {
  const [, P, V] = logits.shape;
  return Array.from({ length: P }, (_, p) => {
    const row = logits.data.subarray(p * V, (p + 1) * V);
    return row.indexOf(Math.max(...row));
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function onnxLogits(model: CanonicalModel, tokens: number[][]): Promise<Tensor> {
  const runner = new OnnxRunner(model);
  try {
    return (await runner.run(tokens, ['logits'])).get('logits')!;
  } finally {
    await runner.dispose();
  }
}

describe.skipIf(withoutSharedData('models/gelu-2l'))('gelu-2l (Hugging Face GPT-2 layout, trained for this project)', () => {
  it('loads with the transformer. prefix and tied lm_head, and matches reference.json (last logits to 1e-4, every argmax)', async () => {
    const dir = sharedDataPath('models/gelu-2l');
    const model = await loadHfFolder(dir);
    expect(model.cfg).toMatchObject({
      model_name: 'gelu-2l',
      n_layers: 2,
      d_model: 256,
      n_heads: 8,
      d_head: 32,
      d_mlp: 1024,
      d_vocab: 512,
      n_ctx: 256,
      act_fn: 'gelu_new',
      normalization_type: 'LN',
      positional_embedding_type: 'standard',
      use_attn_scale: true,
      original_architecture: 'gpt2',
    });
    expect(model.source.format).toBe('hf-gpt2');
    const reference = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
    const onnx = await onnxLogits(model, [reference.token_ids]);
    expect(lastLogitsDiff(onnx, reference.last_logits)).toBeLessThan(1e-4);
    expect(argmaxPerPosition(onnx)).toEqual(reference.argmax_per_position);
    const ref = (await new ReferenceRunner(model).run([reference.token_ids], ['logits'])).get('logits')!;
    expect(lastLogitsDiff(ref, reference.last_logits)).toBeLessThan(1e-4);
    // README: 1,776,640 parameters (tied embeddings counted once).
    const params = [...model.weights].filter(([n]) => n !== 'unembed.W_U').reduce((s, [, t]) => s + t.data.length, 0);
    expect(params).toBe(1_776_640);
  });
});

describe("Hugging Face Llama layout agrees with llama2.c's (rotary conventions)", () => {
  it("stories260K converted as transformers does (permute q/k to rotate_half) gives the llama2.c loader's logits", async () => {
    const bin = fs.existsSync(repoPath('data/models/stories260K/stories260K.bin'))
      ? repoPath('data/models/stories260K/stories260K.bin')
      : sharedDataPath('models/stories260K/stories260K.bin');
    const bytes = fs.readFileSync(bin);
    const [D, Hd, L, H, KV, V, S] = Array.from(new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 28)));
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 28, bytes.byteOffset + bytes.byteLength));
    const hs = D / H;
    let at = 0;
    const next = (n: number) => floats.subarray(at, (at += n));
    const tok = next(V * D),
      rmsAtt = next(L * D),
      wq = next(L * D * D),
      wk = next(L * KV * hs * D),
      wv = next(L * KV * hs * D);
    const wo = next(L * D * D),
      rmsFfn = next(L * D),
      w1 = next(L * Hd * D),
      w2 = next(L * D * Hd),
      w3 = next(L * Hd * D),
      rmsFinal = next(D);
    // transformers' convert_llama_weights_to_hf.py: w.view(n, dim1 // n // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)
    const permute = (w: Float32Array, n: number, rows: number, cols: number) => {
      const out = new Float32Array(rows * cols);
      const half = rows / n / 2;
      for (let h = 0; h < n; h++)
        for (let i = 0; i < half; i++)
          for (let j = 0; j < 2; j++)
            out.set(
              w.subarray((h * 2 * half + 2 * i + j) * cols, (h * 2 * half + 2 * i + j + 1) * cols),
              (h * 2 * half + j * half + i) * cols,
            );
      return out;
    };
    const state = new Map<string, Tensor>();
    const set = (name: string, shape: number[], data: Float32Array) => state.set(name, { shape, data: data.slice() });
    set('model.embed_tokens.weight', [V, D], tok);
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}`;
      set(`${p}.input_layernorm.weight`, [D], rmsAtt.subarray(l * D, (l + 1) * D));
      set(`${p}.self_attn.q_proj.weight`, [D, D], permute(wq.subarray(l * D * D, (l + 1) * D * D), H, D, D));
      set(`${p}.self_attn.k_proj.weight`, [KV * hs, D], permute(wk.subarray(l * KV * hs * D, (l + 1) * KV * hs * D), KV, KV * hs, D));
      set(`${p}.self_attn.v_proj.weight`, [KV * hs, D], wv.subarray(l * KV * hs * D, (l + 1) * KV * hs * D));
      set(`${p}.self_attn.o_proj.weight`, [D, D], wo.subarray(l * D * D, (l + 1) * D * D));
      set(`${p}.post_attention_layernorm.weight`, [D], rmsFfn.subarray(l * D, (l + 1) * D));
      set(`${p}.mlp.gate_proj.weight`, [Hd, D], w1.subarray(l * Hd * D, (l + 1) * Hd * D));
      set(`${p}.mlp.down_proj.weight`, [D, Hd], w2.subarray(l * D * Hd, (l + 1) * D * Hd));
      set(`${p}.mlp.up_proj.weight`, [Hd, D], w3.subarray(l * Hd * D, (l + 1) * Hd * D));
    }
    set('model.norm.weight', [D], rmsFinal);
    const dir = path.join(tmp, 'stories260K-hf');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'model.safetensors'), serializeSafetensors(state));
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        hidden_size: D,
        intermediate_size: Hd,
        num_hidden_layers: L,
        num_attention_heads: H,
        num_key_value_heads: KV,
        vocab_size: V,
        max_position_embeddings: S,
        rms_norm_eps: 1e-5,
        rope_theta: 10000,
        hidden_act: 'silu',
        tie_word_embeddings: true,
        bos_token_id: 1,
        eos_token_id: 2,
      }),
    );
    const hf = await loadHfFolder(dir);
    const native = await loadLlama2c(bin);
    expect(hf.cfg).toMatchObject({ n_key_value_heads: 4, rotary_dim: 8, gated_mlp: true, normalization_type: 'RMS', eps: 1e-5 });
    const tokens = [[1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 400, 428]];
    const [a, b] = [await onnxLogits(hf, tokens), await onnxLogits(native, tokens)];
    expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-4);
  });
});

interface RoundTripCase {
  family: HfFamily;
  label: string;
  cfg: Partial<ModelConfig>;
  /** Canonical weights the family cannot store (they must be absent, i.e. zero). */
  drop: RegExp;
  biases?: boolean;
}

const CASES: RoundTripCase[] = [
  { family: gpt2Family, label: 'GPT-2', cfg: { rotary_dim: 0, original_architecture: 'gpt2' }, drop: /^unembed\.b_U$/ },
  {
    family: gptNeoFamily,
    label: 'GPT-Neo (no attention scale, local window 3 on layer 1)',
    cfg: { rotary_dim: 0, use_attn_scale: false, attn_types: ['global', 'local'], window_size: 3, original_architecture: 'gpt_neo' },
    drop: /^unembed\.b_U$|attn\.b_[QKV]$/,
  },
  {
    family: gptNeoxFamily,
    label: 'GPT-NeoX (parallel residual, rotary 25%)',
    cfg: {
      d_model: 32,
      d_head: 8,
      positional_embedding_type: 'rotary',
      rotary_dim: 2,
      parallel_attn_mlp: true,
      act_fn: 'gelu',
      original_architecture: 'neox',
    },
    drop: /^unembed\.b_U$/,
  },
  {
    family: gptNeoxFamily,
    label: 'GPT-NeoX (sequential residual, rotary 50%)',
    cfg: {
      d_model: 32,
      d_head: 8,
      positional_embedding_type: 'rotary',
      rotary_dim: 4,
      parallel_attn_mlp: false,
      act_fn: 'gelu',
      original_architecture: 'neox',
    },
    drop: /^unembed\.b_U$/,
  },
  {
    family: llamaFamily,
    label: 'Llama (RMSNorm, SwiGLU, GQA 4/2, rope_theta 500000)',
    cfg: {
      n_key_value_heads: 2,
      normalization_type: 'RMS',
      positional_embedding_type: 'rotary',
      rotary_dim: 4,
      rotary_base: 500000,
      gated_mlp: true,
      act_fn: 'silu',
      eps: 1e-6,
      original_architecture: 'llama',
    },
    drop: /./,
    biases: false,
  },
];

describe.each(CASES)('$label: canonical → Hugging Face layout → loader', ({ family, cfg, drop, biases }) => {
  const layouts: Array<{ dtype: WritableDtype; shards: number }> = [
    { dtype: 'F32', shards: 1 },
    { dtype: 'F16', shards: 1 },
    { dtype: 'BF16', shards: 3 },
  ];
  it.each(layouts)(
    '$dtype in $shards file(s): weights equal after the round trip, ONNX logits = reference forward on the original',
    async ({ dtype, shards }) => {
      const original = randomModel({ ...cfg, model_name: 'tiny' }, { seed: 7, biases: biases ?? true });
      // Keep only what the family stores, at the precision of the file: the round trip must then be exact.
      for (const [name, t] of [...original.weights]) {
        if (biases !== false && drop.test(name)) original.weights.delete(name);
        else t.data = roundToDtype(t.data, dtype);
      }
      const dir = path.join(tmp, `${family.modelTypes[0]}-${cfg.rotary_dim ?? 0}-${cfg.parallel_attn_mlp ?? ''}-${dtype}-${shards}`);
      await writeHfFolder(dir, original, family, { dtype, shards });
      expect(fs.existsSync(path.join(dir, shards > 1 ? 'model.safetensors.index.json' : 'model.safetensors'))).toBe(true);

      const loaded = await loadHfFolder(dir, { name: 'tiny' });
      const { original_architecture: _, ...shape } = original.cfg;
      expect(loaded.cfg).toMatchObject(shape);
      for (const [name, t] of original.weights) {
        expect(loaded.weights.get(name)?.shape, name).toEqual(t.shape);
        expect(maxAbsDiff(loaded.weights.get(name)!.data, t.data), name).toBe(0);
      }
      const extra = [...loaded.weights.keys()].filter((n) => !original.weights.has(n));
      for (const name of extra)
        expect(
          loaded.weights.get(name)!.data.every((v) => v === 0),
          name,
        ).toBe(true);

      const rng = makeRng(3);
      const tokens = Array.from({ length: 2 }, () => Array.from({ length: 9 }, () => rng.int(original.cfg.d_vocab)));
      const want = (await new ReferenceRunner(original).run(tokens, ['logits'])).get('logits')!;
      const got = await onnxLogits(loaded, tokens);
      expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-4);
    },
  );
});

describe('GPT-Neo local attention really is local', () => {
  it('a local layer ignores keys further back than window_size (changing token 0 leaves late positions of layer 1 unchanged)', async () => {
    const model = randomModel({ n_layers: 1, use_attn_scale: false, attn_types: ['local'], window_size: 3 }, { seed: 2 });
    const runner = new ReferenceRunner(model);
    const onnx = new OnnxRunner(model);
    try {
      for (const r of [runner, onnx]) {
        const a = (await r.run([[5, 6, 7, 8, 9, 10]], ['blocks.0.attn.hook_pattern'])).get('blocks.0.attn.hook_pattern')!;
        // Query 5 of head 0 sees keys 3, 4, 5 only.
        const row = Array.from(a.data.subarray(5 * 6, 6 * 6));
        expect(row.slice(0, 3)).toEqual([0, 0, 0]);
        expect(row.slice(3).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
      }
    } finally {
      await onnx.dispose();
    }
  });
});
