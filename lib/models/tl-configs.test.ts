import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../engine/onnx-runner';
import { randomModel } from '../engine/random-model';
import { ReferenceRunner } from '../engine/reference';
import { serializeSafetensors } from './safetensors-write';
import { loadTransformerLensSafetensors } from './tl-safetensors';
import type { CanonicalModel } from './types';

/** TransformerLens state dicts with HookedTransformerConfig files: GELU, SoLU (hook_mid), GPT-Neo-style attention. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-tl-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A config.json as TransformerLens' `cfg.to_dict()` writes it (its field names, its nulls). */
function hookedTransformerConfig(model: CanonicalModel, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c = model.cfg;
  return {
    model_name: c.model_name,
    n_layers: c.n_layers,
    d_model: c.d_model,
    n_ctx: c.n_ctx,
    d_head: c.d_head,
    n_heads: c.n_heads,
    d_mlp: c.d_mlp,
    d_vocab: c.d_vocab,
    d_vocab_out: c.d_vocab,
    act_fn: c.act_fn,
    attn_only: false,
    normalization_type: c.normalization_type,
    positional_embedding_type: c.positional_embedding_type,
    eps: c.eps,
    original_architecture: null,
    n_key_value_heads: null,
    rotary_dim: null,
    parallel_attn_mlp: false,
    attn_types: null,
    use_attn_scale: true,
    final_rms: false,
    gated_mlp: false,
    default_prepend_bos: true,
    ...extra,
  };
}

async function writeTlFolder(name: string, model: CanonicalModel, config: Record<string, unknown>): Promise<string> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'model.safetensors'), serializeSafetensors(model.weights));
  return dir;
}

async function expectSameForward(loaded: CanonicalModel, original: CanonicalModel, hooks: string[]): Promise<void> {
  for (const [name, t] of original.weights) expect(loaded.weights.get(name)?.data, name).toEqual(t.data);
  const tokens = [
    [3, 1, 4, 1, 5, 9, 2, 6],
    [2, 7, 1, 8, 2, 8, 1, 8],
  ];
  const want = await new ReferenceRunner(original).run(tokens, hooks);
  const runner = new OnnxRunner(loaded);
  try {
    const got = await runner.run(tokens, hooks);
    for (const hook of hooks) {
      const a = want.get(hook)!.data,
        b = got.get(hook)!.data;
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]));
      expect(worst, hook).toBeLessThan(1e-4);
    }
  } finally {
    await runner.dispose();
  }
}

describe('TransformerLens state dicts (HookedTransformerConfig names)', () => {
  it('a SoLU model (act_fn solu_ln, mlp.ln weights): hook_mid and logits match the reference forward', async () => {
    const model = randomModel({ model_name: 'solu-tiny', act_fn: 'solu_ln', rotary_dim: 0 }, { seed: 11 });
    expect(model.weights.has('blocks.0.mlp.ln.w')).toBe(true);
    const dir = await writeTlFolder('solu', model, hookedTransformerConfig(model));
    const loaded = await loadTransformerLensSafetensors(dir);
    expect(loaded.cfg).toMatchObject({ model_name: 'solu-tiny', act_fn: 'solu_ln', d_mlp: 24, use_attn_scale: true });
    await expectSameForward(loaded, model, ['blocks.1.mlp.hook_mid', 'blocks.1.mlp.hook_post', 'logits']);
  });

  it('a GELU model, and gelu_pytorch_tanh read as gelu_new', async () => {
    const model = randomModel({ model_name: 'gelu-tiny', act_fn: 'gelu', rotary_dim: 0 }, { seed: 12 });
    const loaded = await loadTransformerLensSafetensors(await writeTlFolder('gelu', model, hookedTransformerConfig(model)));
    expect(loaded.cfg.act_fn).toBe('gelu');
    await expectSameForward(loaded, model, ['blocks.0.mlp.hook_post', 'logits']);
    const tanh = await loadTransformerLensSafetensors(
      await writeTlFolder('gelu-tanh', model, hookedTransformerConfig(model, { act_fn: 'gelu_pytorch_tanh' })),
    );
    expect(tanh.cfg.act_fn).toBe('gelu_new');
  });

  it('GPT-Neo converted by TransformerLens: use_attn_scale false, attn_types and window_size', async () => {
    const model = randomModel(
      { model_name: 'neo-tiny', rotary_dim: 0, use_attn_scale: false, attn_types: ['local', 'global'], window_size: 2 },
      { seed: 13 },
    );
    const dir = await writeTlFolder(
      'neo',
      model,
      hookedTransformerConfig(model, { use_attn_scale: false, attn_types: ['local', 'global'], window_size: 2 }),
    );
    const loaded = await loadTransformerLensSafetensors(dir);
    expect(loaded.cfg).toMatchObject({ use_attn_scale: false, attn_types: ['local', 'global'], window_size: 2 });
    await expectSameForward(loaded, model, ['blocks.0.attn.hook_pattern', 'logits']);
  });

  it('refuses configs and tensors it would get wrong, naming the file', async () => {
    const model = randomModel({ rotary_dim: 0 }, { seed: 14 });
    const bad = async (name: string, extra: Record<string, unknown>) =>
      loadTransformerLensSafetensors(await writeTlFolder(name, model, hookedTransformerConfig(model, extra)));
    await expect(bad('act', { act_fn: 'swish_beta' })).rejects.toThrow(/config.json: act_fn "swish_beta" is not supported/);
    await expect(bad('types', { attn_types: ['local'] })).rejects.toThrow(/attn_types \["local"\] must be null or 2 entries/);
    await expect(bad('rms', { final_rms: true })).rejects.toThrow(/final_rms with normalization_type "LN" is not supported/);
    await expect(bad('mlp', { d_mlp: 25 })).rejects.toThrow(/tensor blocks.0.mlp.W_in has shape \[16, 24\], expected \[16, 25\]/);
    const noEmbed = randomModel({ rotary_dim: 0 }, { seed: 14 });
    noEmbed.weights.delete('embed.W_E');
    const dir = await writeTlFolder('no-embed', noEmbed, hookedTransformerConfig(noEmbed));
    await expect(loadTransformerLensSafetensors(dir)).rejects.toThrow(`${dir}: missing tensor embed.W_E (expected shape [40, 16])`);
  });
});
