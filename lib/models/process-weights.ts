import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from './types';

/**
 * TransformerLens' weight processing (HookedTransformer.process_weights_), one function per step, in
 * TransformerLens' order: fold_ln → center_writing_weights → center_unembed → fold_value_biases.
 * Each step leaves the model's output distribution unchanged (centering shifts logits by a per-position
 * constant) but changes what weight-based metrics (composition, copying, direct logit attribution) see,
 * which is why the steps actually applied are recorded with every run.
 *
 *  fold_ln                 LN/RMS weight (and LN bias) folded into the weights reading the norm's output
 *                          (W_Q, W_K, W_V, W_in, W_gate, W_U; SoLU's mlp.ln into W_out); the norm becomes
 *                          LNPre / RMSPre. With LN, the readers are also centred over d_model (the norm's
 *                          output has mean 0, so that component is never read). RMS: no bias fold, no centring.
 *  center_writing_weights  (LayerNorm only) subtract the mean over d_model of everything that writes to the
 *                          residual stream: W_E, W_pos, W_O, b_O, W_out, b_out. Every reader centres first.
 *  center_unembed          subtract the mean over the vocabulary of W_U and b_U (softmax is shift-invariant).
 *  fold_value_biases       b_V @ W_O added to b_O and b_V set to 0 (attention rows sum to 1), GQA-aware.
 *
 * Pure: the input model is not modified; tensors that no step touches are shared with it.
 */

export interface WeightProcessingOptions {
  fold_ln: boolean;
  center_writing_weights: boolean;
  center_unembed: boolean;
  fold_value_biases: boolean;
}

/** TransformerLens' from_pretrained defaults: every step on (each one only where it is valid). */
export const TRANSFORMER_LENS_DEFAULTS: WeightProcessingOptions = {
  fold_ln: true,
  center_writing_weights: true,
  center_unembed: true,
  fold_value_biases: true,
};

/** No processing: the weights as loaded. */
export const NO_PROCESSING: WeightProcessingOptions = {
  fold_ln: false,
  center_writing_weights: false,
  center_unembed: false,
  fold_value_biases: false,
};

/** What was actually done (recorded with a run), and why a requested step was not. */
export interface AppliedWeightProcessing extends WeightProcessingOptions {
  skipped: Partial<Record<keyof WeightProcessingOptions, string>>;
}

/**
 * `inPlace`: rewrite the model's own arrays and map instead of copying every tensor a step changes (a
 * billion-parameter model cannot hold two copies of its weights); the input model must not be used afterwards
 * (its cfg no longer describes its weights). Default false: the input model is left as it was.
 */
export function processWeights(
  model: CanonicalModel,
  requested: Partial<WeightProcessingOptions> = {},
  opts: { inPlace?: boolean } = {},
): { model: CanonicalModel; applied: AppliedWeightProcessing } {
  const inPlace = opts.inPlace ?? false;
  const want = { ...TRANSFORMER_LENS_DEFAULTS, ...requested };
  // The steps read and rewrite float32 matrices; on a model whose matrices are kept 16-bit they would find none and
  // fold the norms into nothing. Processing runs in float32 before keepWeightsFloat16 (lib/engine/float16-weights.ts).
  if ((model.float16Weights?.size ?? 0) > 0 && Object.values(want).some(Boolean)) {
    throw new Error(
      `${model.cfg.model_name}: weight processing runs on float32 weights, before the matrices are kept 16-bit (keepWeightsFloat16); this model already keeps ${model.float16Weights!.size} of them in float16`,
    );
  }
  const applied: AppliedWeightProcessing = { ...NO_PROCESSING, skipped: {} };
  let cfg: ModelConfig = { ...model.cfg };
  const weights: WeightMap = inPlace ? model.weights : new Map(model.weights);

  if (want.fold_ln) {
    if (cfg.gated_mlp && !cfg.attn_only && hasNonZeroMlpNormBias(cfg, weights)) {
      applied.skipped.fold_ln = 'a gated MLP adds b_in after the gate, so a LayerNorm bias before it cannot be folded exactly';
    } else if (cfg.normalization_type === 'LN' || cfg.normalization_type === 'RMS') {
      cfg = foldLayerNorm(cfg, weights, inPlace);
      applied.fold_ln = true;
    } else {
      applied.skipped.fold_ln =
        cfg.normalization_type === null ? 'the model has no normalization' : `already folded (${cfg.normalization_type})`;
    }
  }
  if (want.center_writing_weights) {
    if (cfg.normalization_type === 'LN' || cfg.normalization_type === 'LNPre') {
      centerWritingWeights(cfg, weights, inPlace);
      applied.center_writing_weights = true;
    } else {
      applied.skipped.center_writing_weights = 'only valid with LayerNorm (every residual reader must centre its input)';
    }
  }
  if (want.center_unembed) {
    centerUnembed(weights, inPlace);
    applied.center_unembed = true;
  }
  if (want.fold_value_biases) {
    foldValueBiases(cfg, weights);
    applied.fold_value_biases = true;
  }
  return { model: { ...model, cfg, weights }, applied };
}

function hasNonZeroMlpNormBias(cfg: ModelConfig, weights: WeightMap): boolean {
  if (cfg.normalization_type !== 'LN') return false;
  for (let l = 0; l < cfg.n_layers; l++) if (weights.get(`blocks.${l}.ln2.b`)?.data.some((v) => v !== 0)) return true;
  return false;
}

/**
 * A tensor seen as [outer, mid, inner] around one axis (`mid`), the axis a step sums or averages over.
 * Every weight here has d_model (or d_vocab / d_mlp) as one such axis.
 */
interface AxisView {
  outer: number;
  mid: number;
  inner: number;
}

function viewAround(t: Tensor, axis: number): AxisView {
  const a = axis < 0 ? t.shape.length + axis : axis;
  const prod = (dims: number[]) => dims.reduce((x, y) => x * y, 1);
  return { outer: prod(t.shape.slice(0, a)), mid: t.shape[a], inner: prod(t.shape.slice(a + 1)) };
}

/** t with every slice along `axis` multiplied by scale[i] (into t's own array when inPlace). */
function scaleAlong(t: Tensor, axis: number, scale: Float32Array, inPlace = false): Tensor {
  const { outer, mid, inner } = viewAround(t, axis);
  const data = inPlace ? t.data : new Float32Array(t.data.length);
  for (let o = 0; o < outer; o++)
    for (let m = 0; m < mid; m++)
      for (let i = 0; i < inner; i++) {
        const idx = (o * mid + m) * inner + i;
        data[idx] = t.data[idx] * scale[m];
      }
  return { shape: [...t.shape], data };
}

/** t minus its mean along `axis` (float64 accumulation; each mean is taken before its slice is rewritten). */
function centerAlong(t: Tensor, axis: number, inPlace = false): Tensor {
  const { outer, mid, inner } = viewAround(t, axis);
  const data = inPlace ? t.data : new Float32Array(t.data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let sum = 0;
      for (let m = 0; m < mid; m++) sum += t.data[(o * mid + m) * inner + i];
      const mean = sum / mid;
      for (let m = 0; m < mid; m++) {
        const idx = (o * mid + m) * inner + i;
        data[idx] = t.data[idx] - mean;
      }
    }
  return { shape: [...t.shape], data };
}

/** Σ_m t[o, m, i] · v[m] → [outer, inner] (shape: t's shape without `axis`), e.g. ln.b pushed through W_Q. */
function contractAlong(t: Tensor, axis: number, v: Float32Array): Float64Array {
  const { outer, mid, inner } = viewAround(t, axis);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let m = 0; m < mid; m++) {
      const vm = v[m];
      if (vm === 0) continue;
      for (let i = 0; i < inner; i++) out[o * inner + i] += t.data[(o * mid + m) * inner + i] * vm;
    }
  return out;
}

/** bias + extra, creating the bias (zeros) when the model has none. */
function addToBias(weights: WeightMap, name: string, shape: number[], extra: Float64Array): void {
  const old = weights.get(name);
  const data = new Float32Array(extra.length);
  for (let i = 0; i < extra.length; i++) data[i] = (old ? old.data[i] : 0) + extra[i];
  weights.set(name, { shape, data });
}

/**
 * Folds one norm (`{norm}.w`, `{norm}.b`) into the weights that read its output. `readers` are
 * [weight name, bias name, d_model axis of the weight]; the bias has the weight's shape without that axis.
 */
function foldNormInto(
  weights: WeightMap,
  norm: string,
  readers: [string, string, number][],
  withBias: boolean,
  center: boolean,
  inPlace = false,
): void {
  const w = weights.get(`${norm}.w`);
  const b = withBias ? weights.get(`${norm}.b`) : undefined;
  for (const [wName, bName, axis] of readers) {
    let W = weights.get(wName);
    if (!W) continue;
    // Bias first: it goes through the unscaled weight.
    if (b) {
      const shape = W.shape.filter((_, i) => i !== (axis < 0 ? W!.shape.length + axis : axis));
      addToBias(weights, bName, shape, contractAlong(W, axis, b.data));
    }
    if (w) W = scaleAlong(W, axis, w.data, inPlace);
    // The centring may always rewrite the scaled copy; the model's own array only when inPlace.
    if (center) W = centerAlong(W, axis, inPlace || !!w);
    weights.set(wName, W);
  }
  weights.delete(`${norm}.w`);
  weights.delete(`${norm}.b`);
}

/** fold_ln (TransformerLens fold_layer_norm): LN → LNPre with bias fold and reader centring; RMS → RMSPre, scale only. */
export function foldLayerNorm(cfg: ModelConfig, weights: WeightMap, inPlace = false): ModelConfig {
  const isLN = cfg.normalization_type === 'LN';
  for (let l = 0; l < cfg.n_layers; l++) {
    const a = `blocks.${l}.attn`;
    foldNormInto(
      weights,
      `blocks.${l}.ln1`,
      ['Q', 'K', 'V'].map((x) => [`${a}.W_${x}`, `${a}.b_${x}`, -2] as [string, string, number]),
      isLN,
      isLN,
      inPlace,
    );
    if (cfg.attn_only) continue;
    const m = `blocks.${l}.mlp`;
    // A gated MLP adds b_in after the product (TransformerLens), so no norm bias can go there: processWeights
    // only folds gated MLPs whose ln2 has no bias (RMSNorm, as in Llama). W_gate gets the scale (and centring).
    const readers: [string, string, number][] = [[`${m}.W_in`, `${m}.b_in`, 0]];
    if (cfg.gated_mlp) readers.push([`${m}.W_gate`, `${m}.b_in`, 0]);
    foldNormInto(weights, `blocks.${l}.ln2`, readers, isLN && !cfg.gated_mlp, isLN, inPlace);
    if (cfg.act_fn === 'solu_ln') foldNormInto(weights, `${m}.ln`, [[`${m}.W_out`, `${m}.b_out`, 0]], isLN, isLN, inPlace);
  }
  foldNormInto(weights, 'ln_final', [['unembed.W_U', 'unembed.b_U', 0]], isLN, isLN, inPlace);
  return { ...cfg, normalization_type: isLN ? 'LNPre' : 'RMSPre' };
}

/** center_writing_weights: every residual writer loses its mean over d_model. */
export function centerWritingWeights(cfg: ModelConfig, weights: WeightMap, inPlace = false): void {
  const center = (name: string) => {
    const t = weights.get(name);
    if (t) weights.set(name, centerAlong(t, -1, inPlace));
  };
  center('embed.W_E');
  if (cfg.positional_embedding_type === 'standard') center('pos_embed.W_pos');
  for (let l = 0; l < cfg.n_layers; l++) {
    center(`blocks.${l}.attn.W_O`);
    center(`blocks.${l}.attn.b_O`);
    if (cfg.attn_only) continue;
    center(`blocks.${l}.mlp.W_out`);
    center(`blocks.${l}.mlp.b_out`);
  }
}

/** center_unembed: W_U and b_U lose their mean over the vocabulary. */
export function centerUnembed(weights: WeightMap, inPlace = false): void {
  const W_U = weights.get('unembed.W_U');
  if (W_U) weights.set('unembed.W_U', centerAlong(W_U, -1, inPlace));
  const b_U = weights.get('unembed.b_U');
  if (b_U) weights.set('unembed.b_U', centerAlong(b_U, -1, inPlace));
}

/**
 * fold_value_biases: b_O += Σ_h b_V[kv(h)] W_O[h], b_V = 0. Grouped-query attention: query head h reads
 * kv head ⌊h / (n_heads / n_kv)⌋ (TransformerLens' repeat_interleave).
 */
export function foldValueBiases(cfg: ModelConfig, weights: WeightMap): void {
  const { n_heads: H, n_key_value_heads: KV, d_head: dh, d_model: D } = cfg;
  const group = H / KV;
  for (let l = 0; l < cfg.n_layers; l++) {
    const a = `blocks.${l}.attn`;
    const b_V = weights.get(`${a}.b_V`);
    if (!b_V) continue;
    const W_O = weights.get(`${a}.W_O`)!;
    const extra = new Float64Array(D);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      for (let c = 0; c < dh; c++) {
        const bv = b_V.data[g * dh + c];
        if (bv === 0) continue;
        const off = (h * dh + c) * D;
        for (let o = 0; o < D; o++) extra[o] += bv * W_O.data[off + o];
      }
    }
    addToBias(weights, `${a}.b_O`, [D], extra);
    weights.set(`${a}.b_V`, { shape: [...b_V.shape], data: new Float32Array(b_V.data.length) });
  }
}
