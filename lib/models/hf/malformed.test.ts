import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomModel } from '../../engine/random-model';
import { parseSafetensors } from '../safetensors';
import { serializeSafetensors } from '../safetensors-write';
import { gpt2Family } from './gpt2';
import { loadHfFolder } from './load-hf-folder';
import { writeHfFolder } from './write-hf-folder';

/** Every malformed Hugging Face folder fails with a message naming the file and what is wrong. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-hf-bad-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let count = 0;
async function gpt2Folder(opts: { shards?: number } = {}): Promise<string> {
  const model = randomModel({ rotary_dim: 0 }, { seed: 1 });
  model.weights.delete('unembed.b_U');
  const dir = path.join(tmp, `m${count++}`);
  await writeHfFolder(dir, model, gpt2Family, opts);
  return dir;
}

function rewriteWeights(dir: string, edit: (tensors: Map<string, { shape: number[]; data: Float32Array }>) => void): void {
  const file = path.join(dir, 'model.safetensors');
  const { tensors } = parseSafetensors(fs.readFileSync(file), file);
  edit(tensors);
  fs.writeFileSync(file, serializeSafetensors(tensors));
}

function editConfig(dir: string, edit: (c: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config));
}

describe('malformed Hugging Face folders', () => {
  it('a missing tensor', async () => {
    const dir = await gpt2Folder();
    rewriteWeights(dir, (t) => t.delete('transformer.h.1.mlp.c_fc.bias'));
    await expect(loadHfFolder(dir)).rejects.toThrow(`${dir}: missing tensor transformer.h.1.mlp.c_fc.bias (expected shape [24])`);
  });

  it('a tensor of the wrong shape', async () => {
    const dir = await gpt2Folder();
    rewriteWeights(dir, (t) => t.set('transformer.wpe.weight', { shape: [31, 16], data: new Float32Array(31 * 16) }));
    await expect(loadHfFolder(dir)).rejects.toThrow(`${dir}: tensor transformer.wpe.weight has shape [31, 16], expected [32, 16]`);
  });

  it('an unknown architecture or model_type', async () => {
    const dir = await gpt2Folder();
    editConfig(dir, (c) => {
      c.model_type = 'bert';
      c.architectures = ['BertForMaskedLM'];
    });
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /config.json: unknown architecture \(model_type "bert", architectures \["BertForMaskedLM"\]\); supported model types: gpt2, gpt_neo, gpt_neox, llama, mistral/,
    );
  });

  it('an unsupported dtype', async () => {
    const dir = await gpt2Folder();
    const file = path.join(dir, 'model.safetensors');
    const json = new TextEncoder().encode(JSON.stringify({ 'transformer.wte.weight': { dtype: 'I8', shape: [2], data_offsets: [0, 2] } }));
    const bytes = new Uint8Array(8 + json.length + 2);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    fs.writeFileSync(file, bytes);
    await expect(loadHfFolder(dir)).rejects.toThrow(
      `${file}: tensor transformer.wte.weight: dtype "I8" is not supported (F32, F16, BF16, F64)`,
    );
  });

  it('a truncated header, a header length beyond the file, tensor data out of range', async () => {
    const dir = await gpt2Folder();
    const file = path.join(dir, 'model.safetensors');
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, 6));
    await expect(loadHfFolder(dir)).rejects.toThrow(`${file}: not a safetensors file: 6 bytes, shorter than the 8-byte header length`);
    fs.writeFileSync(file, good.subarray(0, 100));
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /model.safetensors: truncated safetensors header: it declares \d+ bytes but the file has only 92/,
    );
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(10n ** 12n, 0);
    fs.writeFileSync(file, huge);
    await expect(loadHfFolder(dir)).rejects.toThrow(/header length 1000000000000 is absurd/);
    fs.writeFileSync(file, good.subarray(0, good.length - 8));
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /tensor lm_head.weight: truncated data: it ends at byte \d+ of the data section, which has only \d+ bytes/,
    );
  });

  it('sharded: a missing shard, a shard without a promised tensor, an index pointing outside the folder', async () => {
    const dir = await gpt2Folder({ shards: 2 });
    const index = path.join(dir, 'model.safetensors.index.json');
    const original = fs.readFileSync(index, 'utf8');
    fs.renameSync(path.join(dir, 'model-00002-of-00002.safetensors'), path.join(tmp, 'moved.safetensors'));
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /model.safetensors.index.json: shard model-00002-of-00002.safetensors is missing \(it holds \d+ tensors/,
    );
    fs.renameSync(path.join(tmp, 'moved.safetensors'), path.join(dir, 'model-00002-of-00002.safetensors'));
    const promised = JSON.parse(original);
    promised.weight_map['transformer.extra'] = 'model-00001-of-00002.safetensors';
    fs.writeFileSync(index, JSON.stringify(promised));
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /model-00001-of-00002.safetensors: tensor transformer.extra is missing, though model.safetensors.index.json places it in this shard/,
    );
    const escaping = JSON.parse(original);
    escaping.weight_map['transformer.wte.weight'] = '../../etc/x.safetensors';
    fs.writeFileSync(index, JSON.stringify(escaping));
    await expect(loadHfFolder(dir)).rejects.toThrow(/names "..\/..\/etc\/x.safetensors", not a .safetensors file beside the index/);
  });

  it('no safetensors at all, a missing or broken config.json, config values that would be computed wrong', async () => {
    const dir = await gpt2Folder();
    const weights = fs.readFileSync(path.join(dir, 'model.safetensors'));
    fs.rmSync(path.join(dir, 'model.safetensors'));
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /no model.safetensors and no model.safetensors.index.json .*PyTorch .bin weights are not supported/,
    );
    fs.writeFileSync(path.join(dir, 'model.safetensors'), weights);
    editConfig(dir, (c) => (c.scale_attn_by_inverse_layer_idx = true));
    await expect(loadHfFolder(dir)).rejects.toThrow(/scale_attn_by_inverse_layer_idx = true is not supported/);
    editConfig(dir, (c) => {
      c.scale_attn_by_inverse_layer_idx = false;
      c.n_head = 5;
    });
    await expect(loadHfFolder(dir)).rejects.toThrow(/n_embd 16 is not a multiple of n_head 5/);
    editConfig(dir, (c) => {
      c.n_head = 4;
      c.activation_function = 'quick_gelu';
    });
    await expect(loadHfFolder(dir)).rejects.toThrow(/activation_function "quick_gelu" is not supported/);
    fs.writeFileSync(path.join(dir, 'config.json'), '{ not json');
    await expect(loadHfFolder(dir)).rejects.toThrow(/config.json: not valid JSON/);
    fs.rmSync(path.join(dir, 'config.json'));
    await expect(loadHfFolder(dir)).rejects.toThrow(/config.json: cannot read \(ENOENT\)/);
  });

  it('Llama: scaled rotary embeddings are refused rather than computed wrong', async () => {
    const dir = path.join(tmp, 'llama-scaled');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        model_type: 'llama',
        hidden_size: 16,
        num_attention_heads: 4,
        num_hidden_layers: 1,
        intermediate_size: 32,
        vocab_size: 10,
        max_position_embeddings: 8,
        rope_scaling: { rope_type: 'llama3', factor: 8 },
      }),
    );
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /rope_scaling = \{"rope_type":"llama3","factor":8\} is not supported \(scaled rotary embeddings/,
    );
  });
});
