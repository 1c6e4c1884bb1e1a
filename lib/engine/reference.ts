import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from '../models/types';
import type { ActivationCache, ForwardRunner, HookName } from './types';
import { applyInterventionInPlace, buildInterventionTensors, type RunOptions } from './interventions';

/**
 * The plain-TypeScript reference forward pass: TransformerLens' HookedTransformer, written out
 * loop by loop (llama2.c style) so that it can be read and trusted. The ONNX engine and the head
 * metrics are checked against it. Clarity first: float32 storage, float64 accumulation, no tricks.
 *
 * Hooks follow TransformerLens exactly, including its quirks:
 *  - RMSNorm's hook_normalized is x / scale *before* the weight; LayerNorm's is *after* w and b.
 *  - hook_q / hook_k are before rotary; hook_rot_q / hook_rot_k after (rotary models only).
 *  - hook_k / hook_v keep n_key_value_heads heads (grouped-query attention is not repeated).
 *  - hook_attn_scores holds -Infinity above the diagonal; hook_pattern holds 0 there.
 *  - hook_result is each head's output z_h W_O[h] without b_O.
 *  - attn-only and parallel-attn/MLP blocks have no hook_resid_mid (TransformerLens skips it).
 *  - Gated MLP: hook_pre = x W_gate, hook_pre_linear = x W_in, hook_post = act(pre) * pre_linear + b_in.
 */

export class ReferenceRunner implements ForwardRunner {
  readonly cfg: ModelConfig;
  private readonly weights: WeightMap;
  private readonly dVocabOut: number;
  private readonly allHooks: HookName[];

  constructor(model: Pick<CanonicalModel, 'cfg' | 'weights'>) {
    this.cfg = model.cfg;
    this.weights = model.weights;
    validateConfig(this.cfg);
    this.dVocabOut = validateWeights(this.cfg, this.weights);
    this.allHooks = listHooks(this.cfg);
  }

  /** Every hook this model produces, in forward order. */
  hookNames(): HookName[] {
    return [...this.allHooks];
  }

  async run(tokens: number[][], hooks: HookName[], options: RunOptions = {}): Promise<ActivationCache> {
    this.validateTokens(tokens);
    // Edge patching is the ONNX engine's (lib/engine/edge-patching.ts); its plain-TS check is lib/circuits/discovery/evaluate.reference.ts.
    if (options.edgePatches) throw new Error('ReferenceRunner: edge patches are computed by the ONNX engine (OnnxRunner) only');
    const wanted = new Set(hooks);
    const known = new Set(this.allHooks);
    const unknown = hooks.filter((h) => !known.has(h));
    if (unknown.length > 0) {
      throw new Error(
        `ReferenceRunner: unknown hook(s) ${unknown.map((h) => JSON.stringify(h)).join(', ')} for model ` +
          `${this.cfg.model_name} (e.g. ${this.allHooks.slice(0, 6).join(', ')}, ...; ${this.allHooks.length} hooks in all)`,
      );
    }
    const batch = tokens.length;
    const cache: ActivationCache = new Map();
    const interventions = this.interventionTensors(options, batch, tokens[0].length);
    tokens.forEach((sequence, b) => {
      const record: HookRecorder = (name, shape, data) => {
        // Interventions edit the hook's array in place: the forward pass reads the same array afterwards.
        const intervention = interventions.get(name);
        if (intervention) applyInterventionInPlace(intervention, b, data);
        if (!wanted.has(name)) return intervention !== undefined;
        let tensor = cache.get(name);
        if (!tensor) {
          tensor = { shape: [batch, ...shape], data: new Float32Array(batch * data.length) };
          cache.set(name, tensor);
        }
        tensor.data.set(data, b * data.length);
        return intervention !== undefined;
      };
      this.forward(sequence, this.emptyKvCache(), record);
    });
    return cache;
  }

  /** Interventions as keep/replacement tensors (lib/engine/interventions.ts), for the hooks whose arrays the forward pass reads back. */
  private interventionTensors(options: RunOptions, batch: number, seqLen: number) {
    const list = options.interventions ?? [];
    const hooks = [...list.map((iv) => iv.hook), ...(options.patchTensors?.keys() ?? [])];
    const unsupported = hooks.filter((hook) => /hook_attn_scores|hook_scale|hook_normalized|^hook_pos_embed$/.test(hook));
    if (unsupported.length > 0) {
      throw new Error(`ReferenceRunner: interventions on ${unsupported.join(', ')} are not supported here (the ONNX engine supports them)`);
    }
    return buildInterventionTensors(this.cfg, list, batch, seqLen, this.dVocabOut, options.patchTensors);
  }

  /**
   * Incremental decoding with a key/value cache, through the same forward code as run():
   * append(tokens) returns the logits [tokens.length, d_vocab] of the appended positions.
   */
  startSequence(): { append(tokens: number[]): Tensor; readonly length: number } {
    const kv = this.emptyKvCache();
    return {
      append: (tokens: number[]) => {
        this.validateTokens([tokens], kv.length);
        const logits = this.forward(tokens, kv, null);
        return { shape: [tokens.length, this.dVocabOut], data: logits };
      },
      get length() {
        return kv.length;
      },
    };
  }

  private validateTokens(tokens: number[][], alreadyCached = 0): void {
    if (!Array.isArray(tokens) || tokens.length === 0) throw new Error('ReferenceRunner: tokens must be a non-empty batch of sequences');
    const length = tokens[0]?.length ?? 0;
    tokens.forEach((sequence, b) => {
      if (!Array.isArray(sequence) || sequence.length === 0) throw new Error(`ReferenceRunner: sequence ${b} is empty`);
      if (sequence.length !== length) {
        throw new Error(
          `ReferenceRunner: sequences must have equal lengths (sequence 0 has ${length}, sequence ${b} has ${sequence.length})`,
        );
      }
      sequence.forEach((id, p) => {
        if (!Number.isInteger(id) || id < 0 || id >= this.cfg.d_vocab) {
          throw new Error(
            `ReferenceRunner: token ${JSON.stringify(id)} at sequence ${b}, position ${p} is not an id in 0..${this.cfg.d_vocab - 1}`,
          );
        }
      });
    });
    if (alreadyCached + length > this.cfg.n_ctx) {
      throw new Error(`ReferenceRunner: ${alreadyCached + length} positions exceed the model's context n_ctx = ${this.cfg.n_ctx}`);
    }
  }

  private emptyKvCache(): KvCache {
    const { n_layers, n_ctx, n_key_value_heads, d_head } = this.cfg;
    // Grown on demand: most runs use far fewer positions than n_ctx.
    return {
      length: 0,
      keys: new Array(n_layers).fill(null),
      values: new Array(n_layers).fill(null),
      capacity: 0,
      maxPositions: n_ctx,
      rowSize: n_key_value_heads * d_head,
    };
  }

  private w(name: string): Float32Array {
    return this.weights.get(name)!.data;
  }

  private optional(name: string): Float32Array | null {
    return this.weights.get(name)?.data ?? null;
  }

  /**
   * Forward T new tokens at positions kv.length .. kv.length+T-1 of one sequence; their keys and values
   * are appended to kv. Records per-sequence hooks (without the batch dimension) and returns logits [T, d_vocab].
   */
  private forward(tokens: number[], kv: KvCache, record: HookRecorder | null): Float32Array {
    const cfg = this.cfg;
    const T = tokens.length;
    const D = cfg.d_model;
    const startPos = kv.length;
    const rec: HookRecorder = record ?? (() => {});
    growKvCache(kv, startPos + T);

    // Embedding: W_E[token] (+ W_pos[position] for learned positions).
    const W_E = this.w('embed.W_E');
    const embed = new Float32Array(T * D);
    tokens.forEach((id, t) => embed.set(W_E.subarray(id * D, (id + 1) * D), t * D));
    rec('hook_embed', [T, D], embed);
    let resid: Float32Array = embed;
    if (cfg.positional_embedding_type === 'standard') {
      const W_pos = this.w('pos_embed.W_pos');
      const posEmbed = W_pos.slice(startPos * D, (startPos + T) * D);
      rec('hook_pos_embed', [T, D], posEmbed);
      resid = add(embed, posEmbed);
    }

    for (let l = 0; l < cfg.n_layers; l++) {
      const b = `blocks.${l}`;
      const residPre = resid;
      rec(`${b}.hook_resid_pre`, [T, D], residPre);

      const attnIn = this.norm(residPre, T, D, `${b}.ln1`, rec);
      const attnOut = this.attention(attnIn, T, l, kv, startPos, rec);
      rec(`${b}.hook_attn_out`, [T, D], attnOut);

      if (cfg.attn_only) {
        resid = add(residPre, attnOut);
      } else if (cfg.parallel_attn_mlp) {
        // GPT-NeoX / Pythia: attention and MLP both read resid_pre.
        const mlpOut = this.mlp(this.norm(residPre, T, D, `${b}.ln2`, rec), T, l, rec);
        rec(`${b}.hook_mlp_out`, [T, D], mlpOut);
        resid = add(add(residPre, attnOut), mlpOut);
      } else {
        const residMid = add(residPre, attnOut);
        rec(`${b}.hook_resid_mid`, [T, D], residMid);
        const mlpOut = this.mlp(this.norm(residMid, T, D, `${b}.ln2`, rec), T, l, rec);
        rec(`${b}.hook_mlp_out`, [T, D], mlpOut);
        resid = add(residMid, mlpOut);
      }
      rec(`${b}.hook_resid_post`, [T, D], resid);
    }
    kv.length = startPos + T;

    const final = this.norm(resid, T, D, 'ln_final', rec);
    const logits = linear(final, T, D, this.w('unembed.W_U'), 0, this.dVocabOut, this.optional('unembed.b_U'));
    rec('logits', [T, this.dVocabOut], logits);
    return logits;
  }

  /** LayerNorm, RMSNorm or nothing, as TransformerLens computes them (see the hook notes at the top). */
  private norm(x: Float32Array, rows: number, size: number, prefix: string, rec: HookRecorder): Float32Array {
    const kind = this.cfg.normalization_type;
    if (kind === null) return x;
    // LNPre / RMSPre: weights folded into the readers (fold_ln), the norm only centres and scales.
    if (kind === 'LNPre' || kind === 'RMSPre')
      return normalize(kind === 'LNPre' ? 'LN' : 'RMS', x, rows, size, null, null, this.cfg.eps, prefix, rec);
    return normalize(kind, x, rows, size, this.w(`${prefix}.w`), this.optional(`${prefix}.b`), this.cfg.eps, prefix, rec);
  }

  private attention(x: Float32Array, T: number, l: number, kv: KvCache, startPos: number, rec: HookRecorder): Float32Array {
    const cfg = this.cfg;
    const b = `blocks.${l}.attn`;
    const { n_heads: H, n_key_value_heads: KV, d_head: dh, d_model: D } = cfg;
    const q = projectHeads(x, T, D, this.w(`${b}.W_Q`), H, dh, this.optional(`${b}.b_Q`));
    const k = projectHeads(x, T, D, this.w(`${b}.W_K`), KV, dh, this.optional(`${b}.b_K`));
    const v = projectHeads(x, T, D, this.w(`${b}.W_V`), KV, dh, this.optional(`${b}.b_V`));
    rec(`${b}.hook_q`, [T, H, dh], q);
    rec(`${b}.hook_k`, [T, KV, dh], k);
    rec(`${b}.hook_v`, [T, KV, dh], v);
    let qUsed = q;
    let kUsed = k;
    if (cfg.positional_embedding_type === 'rotary') {
      qUsed = applyRotary(q, T, H, dh, cfg.rotary_dim, cfg.rotary_base, startPos);
      kUsed = applyRotary(k, T, KV, dh, cfg.rotary_dim, cfg.rotary_base, startPos);
      rec(`${b}.hook_rot_q`, [T, H, dh], qUsed);
      rec(`${b}.hook_rot_k`, [T, KV, dh], kUsed);
    }
    const rowSize = KV * dh;
    kv.keys[l]!.set(kUsed, startPos * rowSize);
    kv.values[l]!.set(v, startPos * rowSize);
    const keys = kv.keys[l]!;
    const values = kv.values[l]!;

    // Scores [head, q, k] over every cached key; query head h reads key/value head floor(h / (H / KV)).
    const P = startPos + T;
    const groupSize = H / KV;
    const scale = cfg.use_attn_scale === false ? 1 : 1 / Math.sqrt(dh);
    // Local layers (GPT-Neo, sliding windows) see only the last window_size keys.
    const window = cfg.attn_types?.[l] === 'local' && cfg.window_size ? cfg.window_size : Infinity;
    const scores = new Float32Array(H * T * P);
    const pattern = new Float32Array(H * T * P);
    const z = new Float32Array(T * H * dh);
    const row = new Float64Array(P);
    const zAcc = new Float64Array(dh);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / groupSize);
      for (let t = 0; t < T; t++) {
        const qOff = (t * H + h) * dh;
        const lastKey = startPos + t; // causal: keys firstKey..lastKey
        const firstKey = Math.max(0, lastKey - window + 1);
        const scoreOff = (h * T + t) * P;
        let max = -Infinity;
        for (let s = 0; s < P; s++) {
          if (s > lastKey || s < firstKey) {
            scores[scoreOff + s] = -Infinity;
            continue;
          }
          const kOff = s * rowSize + g * dh;
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += qUsed[qOff + c] * keys[kOff + c];
          const score = Math.fround(dot * scale);
          scores[scoreOff + s] = score;
          row[s] = score;
          if (score > max) max = score;
        }
        let sum = 0;
        for (let s = firstKey; s <= lastKey; s++) {
          row[s] = Math.exp(row[s] - max);
          sum += row[s];
        }
        for (let s = firstKey; s <= lastKey; s++) pattern[scoreOff + s] = row[s] / sum;
      }
    }
    rec(`${b}.hook_attn_scores`, [H, T, P], scores);
    // z reads the recorded pattern, so an intervention on hook_pattern (pattern patching) reaches it.
    rec(`${b}.hook_pattern`, [H, T, P], pattern);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / groupSize);
      for (let t = 0; t < T; t++) {
        // z[t, h] = Σ_s pattern[h, t, s] · v[s, g] (zero outside the causal window, so summing over all keys is exact)
        const scoreOff = (h * T + t) * P;
        zAcc.fill(0);
        for (let s = 0; s < P; s++) {
          const p = pattern[scoreOff + s];
          if (p === 0) continue;
          const vOff = s * rowSize + g * dh;
          for (let c = 0; c < dh; c++) zAcc[c] += p * values[vOff + c];
        }
        z.set(zAcc, (t * H + h) * dh);
      }
    }
    rec(`${b}.hook_z`, [T, H, dh], z);

    // Per-head results z_h W_O[h] [T, H, D], then their sum + b_O.
    const W_O = this.w(`${b}.W_O`);
    const result = new Float32Array(T * H * D);
    const out = new Float32Array(T * D);
    const b_O = this.optional(`${b}.b_O`);
    const acc = new Float64Array(D);
    for (let t = 0; t < T; t++) {
      const sumOverHeads = new Float64Array(D);
      for (let h = 0; h < H; h++) {
        acc.fill(0);
        for (let c = 0; c < dh; c++) {
          const zc = z[(t * H + h) * dh + c];
          const wOff = (h * dh + c) * D;
          for (let o = 0; o < D; o++) acc[o] += zc * W_O[wOff + o];
        }
        const rOff = (t * H + h) * D;
        for (let o = 0; o < D; o++) {
          result[rOff + o] = acc[o];
          sumOverHeads[o] += acc[o];
        }
      }
      for (let o = 0; o < D; o++) out[t * D + o] = sumOverHeads[o] + (b_O ? b_O[o] : 0);
    }
    if (rec(`${b}.hook_result`, [T, H, D], result) === true) {
      // An intervention changed the per-head results: the output is their new sum.
      for (let t = 0; t < T; t++) {
        for (let o = 0; o < D; o++) {
          let sum = b_O ? b_O[o] : 0;
          for (let h = 0; h < H; h++) sum += result[(t * H + h) * D + o];
          out[t * D + o] = sum;
        }
      }
    }
    return out;
  }

  private mlp(x: Float32Array, T: number, l: number, rec: HookRecorder): Float32Array {
    const cfg = this.cfg;
    const b = `blocks.${l}.mlp`;
    const D = cfg.d_model;
    const M = cfg.d_mlp;
    const act = activation(cfg.act_fn);
    const b_in = this.optional(`${b}.b_in`);
    let post: Float32Array;
    if (cfg.gated_mlp) {
      const pre = linear(x, T, D, this.w(`${b}.W_gate`), 0, M, null);
      const preLinear = linear(x, T, D, this.w(`${b}.W_in`), 0, M, null);
      rec(`${b}.hook_pre`, [T, M], pre);
      rec(`${b}.hook_pre_linear`, [T, M], preLinear);
      post = new Float32Array(T * M);
      for (let i = 0; i < T * M; i++) post[i] = act(pre[i]) * preLinear[i] + (b_in ? b_in[i % M] : 0);
    } else {
      const pre = linear(x, T, D, this.w(`${b}.W_in`), 0, M, b_in);
      rec(`${b}.hook_pre`, [T, M], pre);
      if (cfg.act_fn === 'solu_ln') {
        // SoLU: x · softmax(x), then a LayerNorm of its own (weightless when the model has none).
        const mid = solu(pre, T, M);
        rec(`${b}.hook_mid`, [T, M], mid);
        post = normalize('LN', mid, T, M, this.optional(`${b}.ln.w`), this.optional(`${b}.ln.b`), cfg.eps, `${b}.ln`, rec);
      } else {
        post = pre.map(act);
      }
    }
    rec(`${b}.hook_post`, [T, M], post);
    return linear(post, T, M, this.w(`${b}.W_out`), 0, D, this.optional(`${b}.b_out`));
  }
}

/** Records a hook (and applies interventions to `data` in place); returns true when it changed the value. */
type HookRecorder = (name: HookName, shape: number[], data: Float32Array) => boolean | void;

/** Rotated keys and values of every position seen so far, per layer: [position, kv_head, d_head]. */
interface KvCache {
  length: number;
  keys: Array<Float32Array | null>;
  values: Array<Float32Array | null>;
  capacity: number;
  maxPositions: number;
  rowSize: number;
}

function growKvCache(kv: KvCache, positions: number): void {
  if (positions <= kv.capacity) return;
  const capacity = Math.min(kv.maxPositions, Math.max(positions, 2 * kv.capacity, 64));
  for (let l = 0; l < kv.keys.length; l++) {
    const keys = new Float32Array(capacity * kv.rowSize);
    const values = new Float32Array(capacity * kv.rowSize);
    if (kv.keys[l]) keys.set(kv.keys[l]!.subarray(0, kv.length * kv.rowSize));
    if (kv.values[l]) values.set(kv.values[l]!.subarray(0, kv.length * kv.rowSize));
    kv.keys[l] = keys;
    kv.values[l] = values;
  }
  kv.capacity = capacity;
}

/** x [rows, inDim] @ W[wOffset ..][inDim, outDim] (+ bias), accumulated in float64. */
export function linear(
  x: Float32Array,
  rows: number,
  inDim: number,
  W: Float32Array,
  wOffset: number,
  outDim: number,
  bias: Float32Array | null,
): Float32Array {
  const out = new Float32Array(rows * outDim);
  const acc = new Float64Array(outDim);
  for (let r = 0; r < rows; r++) {
    if (bias) for (let o = 0; o < outDim; o++) acc[o] = bias[o];
    else acc.fill(0);
    for (let i = 0; i < inDim; i++) {
      const xi = x[r * inDim + i];
      if (xi === 0) continue;
      const wRow = wOffset + i * outDim;
      for (let o = 0; o < outDim; o++) acc[o] += xi * W[wRow + o];
    }
    out.set(acc, r * outDim);
  }
  return out;
}

/** x [T, D] with per-head W [n, D, dh] and bias [n, dh] → [T, n, dh]. */
function projectHeads(
  x: Float32Array,
  T: number,
  D: number,
  W: Float32Array,
  n: number,
  dh: number,
  bias: Float32Array | null,
): Float32Array {
  const out = new Float32Array(T * n * dh);
  for (let h = 0; h < n; h++) {
    const perHead = linear(x, T, D, W, h * D * dh, dh, bias ? bias.subarray(h * dh, (h + 1) * dh) : null);
    for (let t = 0; t < T; t++) out.set(perHead.subarray(t * dh, (t + 1) * dh), (t * n + h) * dh);
  }
  return out;
}

/**
 * Rotary embedding, TransformerLens / GPT-NeoX "rotate_half" convention: within the first rotary_dim
 * dimensions of each head, dimension j pairs with j + rotary_dim/2 and turns by angle pos / base^(2j/rotary_dim).
 * Dimensions past rotary_dim pass through (partial rotary, Pythia).
 */
export function applyRotary(
  x: Float32Array,
  T: number,
  n: number,
  dh: number,
  rotaryDim: number,
  base: number,
  startPos: number,
): Float32Array {
  const out = x.slice();
  const half = rotaryDim / 2;
  for (let t = 0; t < T; t++) {
    const pos = startPos + t;
    for (let j = 0; j < half; j++) {
      const angle = pos / Math.pow(base, j / half);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      for (let h = 0; h < n; h++) {
        const off = (t * n + h) * dh;
        const a = x[off + j];
        const b = x[off + j + half];
        out[off + j] = a * cos - b * sin;
        out[off + j + half] = b * cos + a * sin;
      }
    }
  }
  return out;
}

/** TransformerLens LayerNorm / RMSNorm over the last dimension, recording hook_scale [rows, 1] and hook_normalized. */
function normalize(
  kind: 'LN' | 'RMS',
  x: Float32Array,
  rows: number,
  size: number,
  w: Float32Array | null,
  b: Float32Array | null,
  eps: number,
  prefix: string,
  rec: HookRecorder,
): Float32Array {
  const scales = new Float32Array(rows);
  const normalized = new Float32Array(rows * size);
  const out = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) {
    const off = r * size;
    let mean = 0;
    if (kind === 'LN') {
      for (let i = 0; i < size; i++) mean += x[off + i];
      mean /= size;
    }
    let sumSquares = 0;
    for (let i = 0; i < size; i++) sumSquares += (x[off + i] - mean) ** 2;
    const scale = Math.sqrt(sumSquares / size + eps);
    scales[r] = scale;
    for (let i = 0; i < size; i++) {
      const n = (x[off + i] - mean) / scale;
      const y = n * (w ? w[i] : 1) + (b ? b[i] : 0);
      out[off + i] = y;
      normalized[off + i] = kind === 'LN' ? y : n;
    }
  }
  rec(`${prefix}.hook_scale`, [rows, 1], scales);
  rec(`${prefix}.hook_normalized`, [rows, size], normalized);
  return out;
}

/** x · softmax(x) over each row (TransformerLens `solu`). */
function solu(x: Float32Array, rows: number, size: number): Float32Array {
  const out = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) {
    const off = r * size;
    let max = -Infinity;
    for (let i = 0; i < size; i++) max = Math.max(max, x[off + i]);
    let sum = 0;
    for (let i = 0; i < size; i++) sum += Math.exp(x[off + i] - max);
    for (let i = 0; i < size; i++) out[off + i] = (x[off + i] * Math.exp(x[off + i] - max)) / sum;
  }
  return out;
}

export function activation(name: ModelConfig['act_fn']): (x: number) => number {
  switch (name) {
    case 'silu':
      return (x) => x / (1 + Math.exp(-x));
    case 'gelu':
      return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_new':
      return (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'solu_ln':
      return (x) => x; // handled row-wise in mlp(): SoLU needs the whole row
    default:
      throw new Error(`ReferenceRunner: unsupported act_fn ${JSON.stringify(name)} (silu, gelu, gelu_new, relu, solu_ln)`);
  }
}

/**
 * The error function to double precision: erf(x) = 2/√π · e^(−x²) · Σ_n 2ⁿ x^(2n+1) / (1·3·…·(2n+1)).
 * Every term is positive, so there is no cancellation; past |x| = 6, erf is ±1 in double precision.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

function listHooks(cfg: ModelConfig): HookName[] {
  const hooks: HookName[] = ['hook_embed'];
  if (cfg.positional_embedding_type === 'standard') hooks.push('hook_pos_embed');
  const normHooks = (prefix: string) => (cfg.normalization_type === null ? [] : [`${prefix}.hook_scale`, `${prefix}.hook_normalized`]);
  for (let l = 0; l < cfg.n_layers; l++) {
    const b = `blocks.${l}`;
    hooks.push(`${b}.hook_resid_pre`, ...normHooks(`${b}.ln1`));
    hooks.push(`${b}.attn.hook_q`, `${b}.attn.hook_k`, `${b}.attn.hook_v`);
    if (cfg.positional_embedding_type === 'rotary') hooks.push(`${b}.attn.hook_rot_q`, `${b}.attn.hook_rot_k`);
    hooks.push(`${b}.attn.hook_attn_scores`, `${b}.attn.hook_pattern`, `${b}.attn.hook_z`, `${b}.attn.hook_result`, `${b}.hook_attn_out`);
    if (!cfg.attn_only) {
      if (!cfg.parallel_attn_mlp) hooks.push(`${b}.hook_resid_mid`);
      hooks.push(...normHooks(`${b}.ln2`), `${b}.mlp.hook_pre`);
      if (cfg.gated_mlp) hooks.push(`${b}.mlp.hook_pre_linear`);
      else if (cfg.act_fn === 'solu_ln') hooks.push(`${b}.mlp.hook_mid`, `${b}.mlp.ln.hook_scale`, `${b}.mlp.ln.hook_normalized`);
      hooks.push(`${b}.mlp.hook_post`, `${b}.hook_mlp_out`);
    }
    hooks.push(`${b}.hook_resid_post`);
  }
  hooks.push(...normHooks('ln_final'), 'logits');
  return hooks;
}

function validateConfig(cfg: ModelConfig): void {
  const fail = (what: string) => {
    throw new Error(`ReferenceRunner: invalid config for ${cfg.model_name}: ${what}`);
  };
  for (const key of ['n_layers', 'd_model', 'n_heads', 'd_head', 'n_key_value_heads', 'd_vocab', 'n_ctx'] as const) {
    if (!Number.isInteger(cfg[key]) || cfg[key] <= 0) fail(`${key} = ${cfg[key]} must be a positive integer`);
  }
  if (cfg.n_heads % cfg.n_key_value_heads !== 0)
    fail(`n_heads ${cfg.n_heads} is not a multiple of n_key_value_heads ${cfg.n_key_value_heads}`);
  if (cfg.positional_embedding_type === 'rotary') {
    if (!(cfg.rotary_dim > 0 && cfg.rotary_dim <= cfg.d_head && cfg.rotary_dim % 2 === 0)) {
      fail(`rotary_dim ${cfg.rotary_dim} must be even and in 2..d_head (${cfg.d_head})`);
    }
    if (!(cfg.rotary_base > 0)) fail(`rotary_base ${cfg.rotary_base} must be positive`);
  } else if (cfg.positional_embedding_type !== 'standard') {
    fail(`positional_embedding_type ${JSON.stringify(cfg.positional_embedding_type)} (expected 'standard' or 'rotary')`);
  }
  if (![null, 'LN', 'LNPre', 'RMS', 'RMSPre'].includes(cfg.normalization_type)) {
    fail(`normalization_type ${JSON.stringify(cfg.normalization_type)} (expected 'LN', 'LNPre', 'RMS', 'RMSPre' or null)`);
  }
  if (!cfg.attn_only) {
    if (!Number.isInteger(cfg.d_mlp) || cfg.d_mlp <= 0) fail(`d_mlp = ${cfg.d_mlp} must be a positive integer unless attn_only`);
    activation(cfg.act_fn);
    if (cfg.gated_mlp && cfg.act_fn === 'solu_ln') fail('gated MLP with solu_ln is not supported');
  }
}

/** Checks every weight the forward pass reads (shape included); returns the unembedding's output size. */
function validateWeights(cfg: ModelConfig, weights: WeightMap): number {
  const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
  const problems: string[] = [];
  const expect = (name: string, shape: number[], required = true) => {
    const t = weights.get(name);
    if (!t) {
      if (required) problems.push(`missing ${name} [${shape.join(', ')}]`);
      return;
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape.join(',') !== shape.join(',') || t.data.length !== size) {
      problems.push(`${name} has shape [${t.shape.join(', ')}] (${t.data.length} values), expected [${shape.join(', ')}]`);
    }
  };
  const norm = (prefix: string, size: number) => {
    if (cfg.normalization_type !== 'LN' && cfg.normalization_type !== 'RMS') return;
    expect(`${prefix}.w`, [size]);
    expect(`${prefix}.b`, [size], false);
  };
  expect('embed.W_E', [V, D]);
  if (cfg.positional_embedding_type === 'standard') expect('pos_embed.W_pos', [cfg.n_ctx, D]);
  for (let l = 0; l < cfg.n_layers; l++) {
    const b = `blocks.${l}`;
    norm(`${b}.ln1`, D);
    expect(`${b}.attn.W_Q`, [H, D, dh]);
    expect(`${b}.attn.W_K`, [KV, D, dh]);
    expect(`${b}.attn.W_V`, [KV, D, dh]);
    expect(`${b}.attn.W_O`, [H, dh, D]);
    expect(`${b}.attn.b_Q`, [H, dh], false);
    expect(`${b}.attn.b_K`, [KV, dh], false);
    expect(`${b}.attn.b_V`, [KV, dh], false);
    expect(`${b}.attn.b_O`, [D], false);
    if (!cfg.attn_only) {
      norm(`${b}.ln2`, D);
      expect(`${b}.mlp.W_in`, [D, M]);
      if (cfg.gated_mlp) expect(`${b}.mlp.W_gate`, [D, M]);
      expect(`${b}.mlp.b_in`, [M], false);
      expect(`${b}.mlp.W_out`, [M, D]);
      expect(`${b}.mlp.b_out`, [D], false);
      if (cfg.act_fn === 'solu_ln') {
        expect(`${b}.mlp.ln.w`, [M], false);
        expect(`${b}.mlp.ln.b`, [M], false);
      }
    }
  }
  norm('ln_final', D);
  const W_U = weights.get('unembed.W_U');
  const dVocabOut = W_U?.shape[1] ?? V;
  expect('unembed.W_U', [D, dVocabOut]);
  expect('unembed.b_U', [dVocabOut], false);
  if (problems.length > 0) {
    throw new Error(
      `ReferenceRunner: weights of ${cfg.model_name} do not match its config: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}`,
    );
  }
  return dVocabOut;
}
