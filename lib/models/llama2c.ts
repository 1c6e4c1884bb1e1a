import fs from 'node:fs/promises';
import path from 'node:path';
import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from './types';

/**
 * Loader for Andrej Karpathy's llama2.c checkpoints (`.bin`, export version 0, "legacy"):
 * 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len),
 * then float32 tensors tok_emb[V,D], rms_att[L,D], wq[L,D,D], wk[L,KV*hs,D], wv[L,KV*hs,D],
 * wo[L,D,D], rms_ffn[L,D], w1[L,H,D], w2[L,D,H], w3[L,H,D], rms_final[D],
 * freq_cis_real[seq,hs/2], freq_cis_imag[seq,hs/2], and wcls[V,D] when vocab_size < 0 (unshared classifier).
 * Matrices are [out, in] (PyTorch nn.Linear); canonical weights are TransformerLens' [in, out].
 */

/** The llama2.c header, with vocab_size made positive and the shared-classifier flag split out. */
export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedClassifier: boolean;
}

const HEADER_BYTES = 7 * 4;
/** Newer llama2.c exports (version 1/2) start with the magic "ak42" instead of dim. */
const LLAMA2C_V1_MAGIC = 0x616b3432;

/** Generous bounds: anything outside is a corrupt or non-llama2.c file, not a real model. */
const LIMITS = { dim: 1 << 16, hiddenDim: 1 << 18, nLayers: 1024, nHeads: 1024, vocabSize: 1 << 22, seqLen: 1 << 20 };

export function parseLlama2cHeader(bytes: Uint8Array, file: string): Llama2cHeader {
  if (bytes.byteLength < HEADER_BYTES) {
    throw new Error(`${file}: not a llama2.c checkpoint: ${bytes.byteLength} bytes, shorter than the 28-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const ints = Array.from({ length: 7 }, (_, i) => view.getInt32(i * 4, true));
  if (ints[0] === LLAMA2C_V1_MAGIC) {
    throw new Error(`${file}: llama2.c export version 1/2 (magic "ak42") is not supported; export with --version 0 (legacy)`);
  }
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, signedVocab, seqLen] = ints;
  const header: Llama2cHeader = {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(signedVocab),
    seqLen,
    sharedClassifier: signedVocab > 0,
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${file}: invalid llama2.c header (${what}); header = ${JSON.stringify(ints)}`);
  };
  check(dim > 0 && dim <= LIMITS.dim, `dim ${dim} not in 1..${LIMITS.dim}`);
  check(hiddenDim > 0 && hiddenDim <= LIMITS.hiddenDim, `hidden_dim ${hiddenDim} not in 1..${LIMITS.hiddenDim}`);
  check(nLayers > 0 && nLayers <= LIMITS.nLayers, `n_layers ${nLayers} not in 1..${LIMITS.nLayers}`);
  check(nHeads > 0 && nHeads <= LIMITS.nHeads, `n_heads ${nHeads} not in 1..${LIMITS.nHeads}`);
  check(nKvHeads > 0 && nKvHeads <= nHeads, `n_kv_heads ${nKvHeads} not in 1..n_heads (${nHeads})`);
  check(header.vocabSize > 0 && header.vocabSize <= LIMITS.vocabSize, `vocab_size ${signedVocab} is 0 or beyond ±${LIMITS.vocabSize}`);
  check(seqLen > 0 && seqLen <= LIMITS.seqLen, `seq_len ${seqLen} not in 1..${LIMITS.seqLen}`);
  check(dim % nHeads === 0, `dim ${dim} is not a multiple of n_heads ${nHeads}`);
  check(nHeads % nKvHeads === 0, `n_heads ${nHeads} is not a multiple of n_kv_heads ${nKvHeads}`);
  check((dim / nHeads) % 2 === 0, `head size ${dim / nHeads} is odd (RoPE rotates pairs)`);
  return header;
}

/** Number of float32 values after the header, in file order. */
function tensorLayout(h: Llama2cHeader): Array<[name: string, count: number]> {
  const headSize = h.dim / h.nHeads;
  const kvDim = h.nKvHeads * headSize;
  const { dim: D, hiddenDim: H, nLayers: L, vocabSize: V } = h;
  const layout: Array<[string, number]> = [
    ['tok_emb', V * D],
    ['rms_att', L * D],
    ['wq', L * D * D],
    ['wk', L * kvDim * D],
    ['wv', L * kvDim * D],
    ['wo', L * D * D],
    ['rms_ffn', L * D],
    ['w1', L * H * D],
    ['w2', L * D * H],
    ['w3', L * H * D],
    ['rms_final', D],
    ['freq_cis_real', (h.seqLen * headSize) / 2],
    ['freq_cis_imag', (h.seqLen * headSize) / 2],
  ];
  if (!h.sharedClassifier) layout.push(['wcls', V * D]);
  return layout;
}

export function expectedLlama2cBytes(h: Llama2cHeader): number {
  return HEADER_BYTES + 4 * tensorLayout(h).reduce((sum, [, count]) => sum + count, 0);
}

/** Load a llama2.c `.bin` checkpoint and convert it to canonical TransformerLens weights. */
export async function loadLlama2c(file: string, opts: { name?: string; license?: string } = {}): Promise<CanonicalModel> {
  const bytes = await fs.readFile(file);
  return llama2cFromBytes(bytes, file, opts);
}

export function llama2cFromBytes(bytes: Uint8Array, file: string, opts: { name?: string; license?: string } = {}): CanonicalModel {
  const header = parseLlama2cHeader(bytes, file);
  const expected = expectedLlama2cBytes(header);
  if (bytes.byteLength !== expected) {
    throw new Error(
      `${file}: size mismatch: the header (dim ${header.dim}, hidden ${header.hiddenDim}, layers ${header.nLayers}, ` +
        `heads ${header.nHeads}/${header.nKvHeads} kv, vocab ${header.vocabSize}${header.sharedClassifier ? '' : ' unshared'}, ` +
        `seq_len ${header.seqLen}) implies ${expected} bytes, but the file has ${bytes.byteLength} bytes`,
    );
  }
  if (!littleEndianHost()) throw new Error('llama2.c loader needs a little-endian host (the file is little-endian float32)');
  // Copy once into an aligned Float32Array (the Buffer's offset inside Node's pool need not be 4-aligned).
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset + HEADER_BYTES, bytes.byteOffset + bytes.byteLength));
  const raw = new Map<string, Float32Array>();
  let offset = 0;
  for (const [name, count] of tensorLayout(header)) {
    raw.set(name, floats.subarray(offset, offset + count));
    offset += count;
  }
  const name = opts.name ?? path.basename(file).replace(/\.bin$/, '');
  return {
    cfg: llama2cConfig(header, name),
    weights: toCanonicalWeights(header, raw),
    source: { path: file, format: 'llama2c', ...(opts.license ? { license: opts.license } : {}) },
  };
}

function llama2cConfig(h: Llama2cHeader, name: string): ModelConfig {
  const dHead = h.dim / h.nHeads;
  return {
    model_name: name,
    n_layers: h.nLayers,
    d_model: h.dim,
    n_heads: h.nHeads,
    d_head: dHead,
    n_key_value_heads: h.nKvHeads,
    d_mlp: h.hiddenDim,
    d_vocab: h.vocabSize,
    n_ctx: h.seqLen,
    attn_only: false,
    normalization_type: 'RMS',
    positional_embedding_type: 'rotary',
    rotary_dim: dHead,
    rotary_base: 10000,
    act_fn: 'silu',
    gated_mlp: true,
    parallel_attn_mlp: false,
    eps: 1e-5,
    bos_token_id: 1,
    eos_token_id: 2,
    original_architecture: 'llama',
  };
}

/**
 * llama2.c rotates interleaved pairs (2i, 2i+1) of each head; canonical rotary pairs i with i + d_head/2
 * (TransformerLens / GPT-NeoX rotate_half). Reordering each head's query/key columns as [0,2,4,..,1,3,5,..]
 * turns one into the other with identical attention scores (both q and k move the same way).
 */
export function interleavedToHalfPermutation(dHead: number): number[] {
  const evens = Array.from({ length: dHead / 2 }, (_, i) => 2 * i);
  return [...evens, ...evens.map((i) => i + 1)];
}

function toCanonicalWeights(h: Llama2cHeader, raw: Map<string, Float32Array>): WeightMap {
  const D = h.dim;
  const H = h.hiddenDim;
  const V = h.vocabSize;
  const hs = D / h.nHeads;
  const kvDim = h.nKvHeads * hs;
  const perm = interleavedToHalfPermutation(hs);
  const identity = Array.from({ length: hs }, (_, i) => i);
  const get = (name: string) => raw.get(name)!;
  const weights: WeightMap = new Map();
  const put = (name: string, shape: number[], data: Float32Array) => weights.set(name, { shape, data } satisfies Tensor);

  put('embed.W_E', [V, D], get('tok_emb').slice());
  for (let l = 0; l < h.nLayers; l++) {
    const b = `blocks.${l}`;
    put(`${b}.ln1.w`, [D], get('rms_att').slice(l * D, (l + 1) * D));
    put(`${b}.attn.W_Q`, [h.nHeads, D, hs], splitHeads(get('wq').subarray(l * D * D, (l + 1) * D * D), h.nHeads, hs, D, perm));
    put(`${b}.attn.W_K`, [h.nKvHeads, D, hs], splitHeads(get('wk').subarray(l * kvDim * D, (l + 1) * kvDim * D), h.nKvHeads, hs, D, perm));
    put(
      `${b}.attn.W_V`,
      [h.nKvHeads, D, hs],
      splitHeads(get('wv').subarray(l * kvDim * D, (l + 1) * kvDim * D), h.nKvHeads, hs, D, identity),
    );
    put(`${b}.attn.W_O`, [h.nHeads, hs, D], transpose(get('wo').subarray(l * D * D, (l + 1) * D * D), D, D));
    put(`${b}.ln2.w`, [D], get('rms_ffn').slice(l * D, (l + 1) * D));
    // SwiGLU: w2(silu(w1 x) * w3 x). TransformerLens' GatedMLP: act(x W_gate) * (x W_in).
    put(`${b}.mlp.W_gate`, [D, H], transpose(get('w1').subarray(l * H * D, (l + 1) * H * D), H, D));
    put(`${b}.mlp.W_in`, [D, H], transpose(get('w3').subarray(l * H * D, (l + 1) * H * D), H, D));
    put(`${b}.mlp.W_out`, [H, D], transpose(get('w2').subarray(l * D * H, (l + 1) * D * H), D, H));
  }
  put('ln_final.w', [D], get('rms_final').slice());
  const classifier = h.sharedClassifier ? get('tok_emb') : get('wcls');
  put('unembed.W_U', [D, V], transpose(classifier, V, D));
  return weights;
}

/** [rows, cols] → [cols, rows]. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  }
  return out;
}

/**
 * An [n*hs, D] projection ([out, in]) → [n, D, hs] (TransformerLens per-head [in, out]),
 * with canonical column c of head h taken from original output row h*hs + columnOrder[c].
 */
function splitHeads(m: Float32Array, nHeads: number, hs: number, D: number, columnOrder: number[]): Float32Array {
  const out = new Float32Array(nHeads * D * hs);
  for (let head = 0; head < nHeads; head++) {
    for (let c = 0; c < hs; c++) {
      const row = (head * hs + columnOrder[c]) * D;
      for (let i = 0; i < D; i++) out[(head * D + i) * hs + c] = m[row + i];
    }
  }
  return out;
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
