import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRotary, ReferenceRunner } from '../engine/reference';
import { repoPath } from '../../scripts/testing/shared-data';
import { expectedLlama2cBytes, interleavedToHalfPermutation, llama2cFromBytes, loadLlama2c, parseLlama2cHeader } from './llama2c';

const BIN = repoPath('data/models/stories260K/stories260K.bin');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-llama2c-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A llama2.c v0 file from a header and a float generator (value i = f(i)). */
function syntheticCheckpoint(header: number[], f: (i: number) => number): Uint8Array {
  const h = parseLlama2cHeader(new Uint8Array(Int32Array.from(header).buffer), 'synthetic');
  const floats = new Float32Array((expectedLlama2cBytes(h) - 28) / 4).map((_, i) => f(i));
  const bytes = new Uint8Array(28 + floats.byteLength);
  bytes.set(new Uint8Array(Int32Array.from(header).buffer), 0);
  bytes.set(new Uint8Array(floats.buffer), 28);
  return bytes;
}

describe('loadLlama2c on stories260K', () => {
  it('reads the config and converts weights to TransformerLens layout', async () => {
    const model = await loadLlama2c(BIN);
    expect(model.cfg).toMatchObject({
      model_name: 'stories260K',
      n_layers: 5,
      d_model: 64,
      n_heads: 8,
      n_key_value_heads: 4,
      d_head: 8,
      d_mlp: 172,
      d_vocab: 512,
      n_ctx: 512,
      normalization_type: 'RMS',
      positional_embedding_type: 'rotary',
      rotary_dim: 8,
      rotary_base: 10000,
      act_fn: 'silu',
      gated_mlp: true,
      eps: 1e-5,
      bos_token_id: 1,
      eos_token_id: 2,
      original_architecture: 'llama',
    });
    expect(model.source).toEqual({ path: BIN, format: 'llama2c' });
    const w = (name: string) => model.weights.get(name)!;
    expect(w('embed.W_E').shape).toEqual([512, 64]);
    expect(w('blocks.0.attn.W_Q').shape).toEqual([8, 64, 8]);
    expect(w('blocks.0.attn.W_K').shape).toEqual([4, 64, 8]);
    expect(w('blocks.0.attn.W_V').shape).toEqual([4, 64, 8]);
    expect(w('blocks.0.attn.W_O').shape).toEqual([8, 8, 64]);
    expect(w('blocks.4.mlp.W_in').shape).toEqual([64, 172]);
    expect(w('blocks.4.mlp.W_gate').shape).toEqual([64, 172]);
    expect(w('blocks.4.mlp.W_out').shape).toEqual([172, 64]);
    expect(w('unembed.W_U').shape).toEqual([64, 512]);
    expect([...model.weights.keys()].filter((k) => k.includes('.b'))).toEqual([]); // no biases
    expect(model.weights.size).toBe(1 + 5 * 9 + 2);

    // Values read straight from the file (tok_emb[0, :4], rms_att[0, :3], wq[0] rows 0 and 1).
    expect(Array.from(w('embed.W_E').data.subarray(0, 4))).toEqual(
      [-0.29474878311157227, 0.5618956089019775, 0.1754225343465805, 0.34057360887527466].map(Math.fround),
    );
    expect(Array.from(w('blocks.0.ln1.w').data.subarray(0, 3))).toEqual(
      [0.9722429513931274, 0.6754933595657349, 0.8203195333480835].map(Math.fround),
    );
    const W_Q = w('blocks.0.attn.W_Q').data; // [head, d_model, d_head]
    // Canonical column 0 of head 0 is llama2.c output row 0; column 4 (= d_head/2) is row 1 (its rotary partner).
    expect([W_Q[0 * 8 + 0], W_Q[1 * 8 + 0], W_Q[2 * 8 + 0]]).toEqual(
      [0.04439278692007065, 0.07974770665168762, -0.008925346657633781].map(Math.fround),
    );
    expect([W_Q[0 * 8 + 4], W_Q[1 * 8 + 4], W_Q[2 * 8 + 4]]).toEqual(
      [0.22455421090126038, 0.12866616249084473, -0.0612839013338089].map(Math.fround),
    );
    // Shared classifier: W_U = W_Eᵀ.
    const W_E = w('embed.W_E').data;
    const W_U = w('unembed.W_U').data;
    for (const [v, d] of [
      [0, 0],
      [7, 63],
      [511, 5],
    ])
      expect(W_U[d * 512 + v]).toBe(W_E[v * 64 + d]);
  });

  it('permuted W_Q/W_K with rotate_half give the same attention scores as llama2.c interleaved RoPE', async () => {
    const model = await loadLlama2c(BIN);
    const raw = new Float32Array(fs.readFileSync(BIN).buffer.slice(28));
    const D = 64,
      hs = 8,
      kvDim = 32,
      layer = 2;
    const wqOffset = 512 * D + 5 * D + layer * D * D;
    const wkOffset = 512 * D + 5 * D + 5 * D * D + layer * kvDim * D;
    const x = Array.from({ length: D }, (_, i) => Math.sin(0.3 * i + 1));
    const rawProject = (offset: number, rows: number) =>
      Array.from({ length: rows }, (_, r) => x.reduce((s, xi, i) => s + raw[offset + r * D + i] * xi, 0));
    // llama2.c run.c: rotate (v[i], v[i+1]) by pos * 10000^(-(i % hs)/hs).
    const llamaRope = (v: number[], pos: number) => {
      const out = v.slice();
      for (let i = 0; i < v.length; i += 2) {
        const angle = pos * Math.pow(10000, -(i % hs) / hs);
        out[i] = v[i] * Math.cos(angle) - v[i + 1] * Math.sin(angle);
        out[i + 1] = v[i] * Math.sin(angle) + v[i + 1] * Math.cos(angle);
      }
      return out;
    };
    const qRaw = llamaRope(rawProject(wqOffset, D), 7);
    const kRaw = llamaRope(rawProject(wkOffset, kvDim), 3);
    const canonicalProject = (name: string, heads: number) => {
      const W = model.weights.get(name)!.data;
      const out = new Float32Array(heads * hs);
      for (let h = 0; h < heads; h++)
        for (let c = 0; c < hs; c++) out[h * hs + c] = x.reduce((s, xi, i) => s + W[(h * D + i) * hs + c] * xi, 0);
      return out;
    };
    const qCanon = applyRotary(canonicalProject(`blocks.${layer}.attn.W_Q`, 8), 1, 8, hs, hs, 10000, 7);
    const kCanon = applyRotary(canonicalProject(`blocks.${layer}.attn.W_K`, 4), 1, 4, hs, hs, 10000, 3);
    for (let h = 0; h < 8; h++) {
      const g = Math.floor(h / 2); // llama2.c: kv head h / kv_mul
      let scoreRaw = 0,
        scoreCanon = 0;
      for (let c = 0; c < hs; c++) {
        scoreRaw += qRaw[h * hs + c] * kRaw[g * hs + c];
        scoreCanon += qCanon[h * hs + c] * kCanon[g * hs + c];
      }
      expect(scoreCanon).toBeCloseTo(scoreRaw, 5);
    }
    expect(interleavedToHalfPermutation(8)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });
});

describe('llama2.c checkpoints: unshared classifier and bad files', () => {
  const header = [4, 6, 1, 2, 1, -5, 3]; // dim 4, hidden 6, 1 layer, 2 heads / 1 kv, vocab 5 unshared, seq 3

  it('reads an unshared classifier (negative vocab_size) from after freq_cis', () => {
    const bytes = syntheticCheckpoint(header, (i) => i / 1000);
    // floats: tok_emb 20, rms_att 4, wq 16, wk 8, wv 8, wo 16, rms_ffn 4, w1 24, w2 24, w3 24, rms_final 4, freq_cis 3 + 3, wcls 20
    expect(bytes.byteLength).toBe(28 + 4 * 178);
    const model = llama2cFromBytes(bytes, 'synthetic.bin', { name: 'tiny', license: 'MIT' });
    expect(model.cfg.model_name).toBe('tiny');
    expect(model.source.license).toBe('MIT');
    expect(model.cfg.d_vocab).toBe(5);
    const W_U = model.weights.get('unembed.W_U')!;
    expect(W_U.shape).toEqual([4, 5]);
    const wclsStart = 178 - 20;
    for (let v = 0; v < 5; v++) for (let d = 0; d < 4; d++) expect(W_U.data[d * 5 + v]).toBe(Math.fround((wclsStart + v * 4 + d) / 1000));
    // The runner accepts it.
    expect(() => new ReferenceRunner(model)).not.toThrow();
  });

  it('names the file, the expected and the actual size when the size is wrong', async () => {
    const truncated = path.join(tmp, 'truncated.bin');
    fs.writeFileSync(truncated, fs.readFileSync(BIN).subarray(0, 1056540 - 4));
    await expect(loadLlama2c(truncated)).rejects.toThrow(`${truncated}: size mismatch`);
    await expect(loadLlama2c(truncated)).rejects.toThrow(/implies 1056540 bytes, but the file has 1056536 bytes/);
    const padded = path.join(tmp, 'padded.bin');
    fs.writeFileSync(padded, Buffer.concat([fs.readFileSync(BIN), Buffer.alloc(8)]));
    await expect(loadLlama2c(padded)).rejects.toThrow(/implies 1056540 bytes, but the file has 1056548 bytes/);
  });

  it('rejects nonsense headers with a clear message', () => {
    const withHeader = (h: number[]) => () => llama2cFromBytes(new Uint8Array(Int32Array.from(h).buffer), 'x.bin');
    expect(withHeader([0, 6, 1, 2, 1, 5, 3])).toThrow(/x.bin: invalid llama2.c header \(dim 0 not in 1..65536\)/);
    expect(withHeader([4, 6, 1, 2, 3, 5, 3])).toThrow(/n_kv_heads 3 not in 1..n_heads \(2\)/);
    expect(withHeader([6, 6, 1, 4, 1, 5, 3])).toThrow(/dim 6 is not a multiple of n_heads 4/);
    expect(withHeader([4, 6, 1, 2, 1, 0, 3])).toThrow(/vocab_size 0/);
    expect(withHeader([4, 6, 1, 2, 1, 5, -3])).toThrow(/seq_len -3/);
    expect(withHeader([0x616b3432, 1, 0, 0, 0, 0, 0])).toThrow(/version 1\/2 \(magic "ak42"\) is not supported/);
    expect(() => llama2cFromBytes(new Uint8Array(10), 'short.bin')).toThrow(/short.bin: not a llama2.c checkpoint: 10 bytes/);
  });
});
