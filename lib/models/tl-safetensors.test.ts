import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../engine/reference';
import { sharedDataPath, withoutSharedData } from '../../scripts/testing/shared-data';
import { halfToFloat, parseSafetensors } from './safetensors';
import { loadTransformerLensSafetensors } from './tl-safetensors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-st-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function safetensorsBytes(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe.skipIf(withoutSharedData('models/attn-only-2l'))('loadTransformerLensSafetensors on attn-only-2l', () => {
  it('loads the config and weights, and reproduces reference.json (logits to 1e-4, every argmax)', async () => {
    const dir = sharedDataPath('models/attn-only-2l');
    const model = await loadTransformerLensSafetensors(dir);
    expect(model.cfg).toMatchObject({
      model_name: 'attn-only-2l',
      n_layers: 2,
      d_model: 256,
      n_heads: 8,
      d_head: 32,
      n_key_value_heads: 8,
      d_mlp: 0,
      d_vocab: 512,
      n_ctx: 256,
      attn_only: true,
      normalization_type: 'LN',
      positional_embedding_type: 'standard',
      act_fn: null,
      eps: 1e-5,
      bos_token_id: 1,
      eos_token_id: 2,
    });
    expect(model.weights.get('blocks.1.attn.W_Q')!.shape).toEqual([8, 256, 32]);
    expect(model.weights.size).toBe(26);

    const reference = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
    const runner = new ReferenceRunner(model);
    const logits = (await runner.run([reference.token_ids], ['logits'])).get('logits')!;
    const P = reference.token_ids.length;
    expect(logits.shape).toEqual([1, P, 512]);
    let maxDiff = 0;
    for (let v = 0; v < 512; v++) maxDiff = Math.max(maxDiff, Math.abs(logits.data[(P - 1) * 512 + v] - reference.last_logits[v]));
    expect(maxDiff).toBeLessThan(1e-4);
    const argmax = Array.from({ length: P }, (_, p) => {
      const row = logits.data.subarray(p * 512, (p + 1) * 512);
      return row.indexOf(Math.max(...row));
    });
    expect(argmax).toEqual(reference.argmax_per_position);
    // README: L1H7 is the induction head; here the last "Max" attends from its "x" to the token after the first "x".
  });
});

describe('parseSafetensors', () => {
  const f32 = new Uint8Array(new Float32Array([1.5, -2, 3.25, 0]).buffer);

  it('reads F32, F16, BF16 and F64 as float32', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001]).buffer); // 1, -2, 0.33325, 2^-24
    const bf16 = new Uint8Array(new Uint16Array([0x3fc0, 0xc049]).buffer); // 1.5, -3.140625
    const f64 = new Uint8Array(new Float64Array([0.1]).buffer);
    const data = new Uint8Array([...f32, ...f16, ...bf16, ...f64]);
    const bytes = safetensorsBytes(
      {
        __metadata__: { format: 'pt' },
        a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
        h: { dtype: 'F16', shape: [4], data_offsets: [16, 24] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [24, 28] },
        d: { dtype: 'F64', shape: [1], data_offsets: [28, 36] },
      },
      data,
    );
    const { tensors, metadata } = parseSafetensors(bytes, 'mixed.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('a')).toEqual({ shape: [2, 2], data: new Float32Array([1.5, -2, 3.25, 0]) });
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2, Math.fround(0.333251953125), Math.fround(2 ** -24)]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1.5, -3.140625]);
    expect(tensors.get('d')!.data[0]).toBe(Math.fround(0.1));
    expect([halfToFloat(0x7c00), halfToFloat(0xfc00), halfToFloat(0x7e00)]).toEqual([Infinity, -Infinity, NaN]);
  });

  it('names the file and tensor when the header or data is truncated or inconsistent', () => {
    const good = safetensorsBytes({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32);
    expect(() => parseSafetensors(good.subarray(0, 5), 'tiny.st')).toThrow(/tiny.st: not a safetensors file: 5 bytes/);
    expect(() => parseSafetensors(good.subarray(0, 20), 'cut-header.st')).toThrow(
      /cut-header.st: truncated safetensors header: it declares \d+ bytes but the file has only 12/,
    );
    expect(() => parseSafetensors(good.subarray(0, good.length - 4), 'cut-data.st')).toThrow(
      /cut-data.st: tensor w: truncated data: it ends at byte 16 of the data section, which has only 12 bytes/,
    );
    const wrongSize = safetensorsBytes({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, f32);
    expect(() => parseSafetensors(wrongSize, 'x.st')).toThrow(/tensor w: shape \[3\] of F32 needs 12 bytes, data_offsets give 16/);
    const ints = safetensorsBytes({ w: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, f32);
    expect(() => parseSafetensors(ints, 'x.st')).toThrow(/tensor w: dtype "I64" is not supported/);
    const notJson = safetensorsBytes({}, new Uint8Array());
    notJson[8] = 0x7b; // keep the length, break the JSON
    notJson[9] = 0x7b;
    expect(() => parseSafetensors(notJson, 'x.st')).toThrow(/x.st: safetensors header is not valid JSON/);
  });

  it.skipIf(withoutSharedData('models/attn-only-2l'))(
    'a truncated model.safetensors fails to load with its path in the message',
    async () => {
      const dir = path.join(tmp, 'cut-model');
      fs.mkdirSync(dir);
      const src = sharedDataPath('models/attn-only-2l');
      fs.copyFileSync(path.join(src, 'config.json'), path.join(dir, 'config.json'));
      const bytes = fs.readFileSync(path.join(src, 'model.safetensors'));
      fs.writeFileSync(path.join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 1000));
      await expect(loadTransformerLensSafetensors(dir)).rejects.toThrow(
        `${path.join(dir, 'model.safetensors')}: tensor unembed.b_U: truncated data`,
      );
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ n_layers: 0 }));
      await expect(loadTransformerLensSafetensors(dir)).rejects.toThrow(/config.json: n_heads must be a positive integer/);
    },
  );
});
