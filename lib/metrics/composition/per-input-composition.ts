import type { CanonicalModel } from '../../models/types';
import { normCentres } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';
import { OnnxRunner } from '../../engine/onnx-runner';
import { headWeight } from '../heads/head-weights';
import { ablateHeads } from '../causal/ablate';

/**
 * Per-input composition (open problem 6.12): on one token sequence, split a later head's query, key or
 * value into the terms of the residual stream it reads — embedding, positional embedding, every earlier
 * head's output (hook_result), every earlier MLP's output and the attention biases — each pushed
 * through ln1 linearised at that position (÷ hook_scale, × ln1.w, centred for LayerNorm) and W_Q/W_K/W_V.
 * Each term's size is the mean over positions of the norm of its contribution; `share` is its size over
 * the sum of sizes. The top heads are then zero-ablated, and the later head's pattern change measured.
 */
export type InputSide = 'q' | 'k' | 'v';

export interface CompositionTerm {
  /** `embed`, `pos_embed`, `L{l}H{h}`, `mlp{l}` or `bias{l}`. */
  source: string;
  size: number;
  share: number;
  /** For head terms that were ablated: mean total-variation distance of the target's attention rows. */
  patternChange?: number;
}

export async function perInputComposition(
  model: CanonicalModel,
  runner: ForwardRunner,
  tokens: number[],
  target: { layer: number; head: number },
  side: InputSide,
  options: { ablateTop?: number; makeRunner?: (m: CanonicalModel) => ForwardRunner & { dispose?: () => Promise<void> } } = {},
): Promise<CompositionTerm[]> {
  const { cfg } = model;
  const { layer: L, head: H } = target;
  if (!(L >= 1 && L < cfg.n_layers && H >= 0 && H < cfg.n_heads)) {
    throw new Error(
      `perInputComposition: target L${L}H${H} must be a head in layers 1..${cfg.n_layers - 1} (layer 0 reads only embeddings)`,
    );
  }
  const seq = tokens.length;
  const d = cfg.d_model;
  const hooks = ['hook_embed', `blocks.${L}.attn.hook_pattern`];
  if (cfg.positional_embedding_type === 'standard') hooks.push('hook_pos_embed');
  if (cfg.normalization_type !== null) hooks.push(`blocks.${L}.ln1.hook_scale`);
  for (let l = 0; l < L; l++) {
    hooks.push(`blocks.${l}.attn.hook_result`);
    if (!cfg.attn_only) hooks.push(`blocks.${l}.hook_mlp_out`);
  }
  const cache = await runner.run([tokens], hooks);
  const W = headWeight(cfg, model.weights, L, H, side === 'q' ? 'W_Q' : side === 'k' ? 'W_K' : 'W_V');
  const lnW = model.weights.get(`blocks.${L}.ln1.w`)?.data;
  const scale = cfg.normalization_type !== null ? cache.get(`blocks.${L}.ln1.hook_scale`)!.data : null;

  /** Mean over positions of ‖f(x_p) W‖ for a per-position residual term x (row-major, stride d). */
  const size = (at: (p: number, i: number) => number) => {
    let total = 0;
    const x = new Float64Array(d);
    for (let p = 0; p < seq; p++) {
      let mean = 0;
      for (let i = 0; i < d; i++) mean += (x[i] = at(p, i)) / d;
      for (let i = 0; i < d; i++) x[i] = ((normCentres(cfg) ? x[i] - mean : x[i]) / (scale ? scale[p] : 1)) * (lnW ? lnW[i] : 1);
      let sq = 0;
      for (let c = 0; c < cfg.d_head; c++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += x[i] * W.data[i * cfg.d_head + c];
        sq += s * s;
      }
      total += Math.sqrt(sq);
    }
    return total / seq;
  };

  const terms: CompositionTerm[] = [];
  const embed = cache.get('hook_embed')!.data;
  terms.push({ source: 'embed', size: size((p, i) => embed[p * d + i]), share: 0 });
  const pos = cache.get('hook_pos_embed')?.data;
  if (pos) terms.push({ source: 'pos_embed', size: size((p, i) => pos[p * d + i]), share: 0 });
  for (let l = 0; l < L; l++) {
    const result = cache.get(`blocks.${l}.attn.hook_result`)!.data;
    for (let h = 0; h < cfg.n_heads; h++)
      terms.push({ source: `L${l}H${h}`, size: size((p, i) => result[(p * cfg.n_heads + h) * d + i]), share: 0 });
    const bO = model.weights.get(`blocks.${l}.attn.b_O`)?.data;
    if (bO) terms.push({ source: `bias${l}`, size: size((_, i) => bO[i]), share: 0 });
    const mlp = cache.get(`blocks.${l}.hook_mlp_out`)?.data;
    if (mlp) terms.push({ source: `mlp${l}`, size: size((p, i) => mlp[p * d + i]), share: 0 });
  }
  const total = terms.reduce((s, t) => s + t.size, 0);
  for (const t of terms) t.share = total === 0 ? 0 : t.size / total;
  terms.sort((a, b) => b.size - a.size);

  // Ablate the strongest head terms one at a time and measure how the target's attention moves.
  const clean = cache.get(`blocks.${L}.attn.hook_pattern`)!.data;
  const makeRunner = options.makeRunner ?? ((m: CanonicalModel) => new OnnxRunner(m));
  const heads = terms.filter((t) => /^L\d+H\d+$/.test(t.source) && t.size > 0).slice(0, options.ablateTop ?? 3);
  for (const t of heads) {
    const [, l, h] = /^L(\d+)H(\d+)$/.exec(t.source)!.map(Number);
    const ablated = makeRunner(ablateHeads(model, [{ layer: l, head: h, kind: 'zero' }]));
    try {
      const hook = `blocks.${L}.attn.hook_pattern`;
      const pattern = (await ablated.run([tokens], [hook])).get(hook)!.data;
      let tv = 0;
      for (let q = 0; q < seq; q++) {
        let row = 0;
        for (let k = 0; k <= q; k++) row += Math.abs(pattern[(H * seq + q) * seq + k] - clean[(H * seq + q) * seq + k]);
        tv += row / 2;
      }
      t.patternChange = tv / seq;
    } finally {
      await ablated.dispose?.();
    }
  }
  return terms;
}
