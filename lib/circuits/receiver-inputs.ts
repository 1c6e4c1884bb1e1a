import type { ModelConfig, WeightMap } from '../models/types';

/**
 * A receiver's input recomputed in TypeScript from an edited residual stream: the norm the block applies (LayerNorm,
 * RMSNorm, their folded "Pre" forms, or none; TransformerLens' definitions, as lib/engine/reference.ts) and the
 * head's or MLP's input projection. Circuit discovery feeds these into hook_q|k|v / mlp.hook_pre as patches, so that
 * one receiver sees a residual stream in which only some senders' contributions are corrupted.
 */

/** Normalises each row of x [rows, D] in place the way `prefix` (`blocks.3.ln1`, `ln_final`) does. */
export function normalizeRows(cfg: ModelConfig, weights: WeightMap, prefix: string, x: Float64Array, rows: number): Float64Array {
  const kind = cfg.normalization_type;
  if (kind === null) return x;
  const D = cfg.d_model;
  const folded = kind === 'LNPre' || kind === 'RMSPre';
  const w = folded ? null : (weights.get(`${prefix}.w`)?.data ?? null);
  const b = folded ? null : (weights.get(`${prefix}.b`)?.data ?? null);
  const centred = kind === 'LN' || kind === 'LNPre';
  for (let r = 0; r < rows; r++) {
    const off = r * D;
    let mean = 0;
    if (centred) {
      for (let i = 0; i < D; i++) mean += x[off + i];
      mean /= D;
    }
    let ss = 0;
    for (let i = 0; i < D; i++) ss += (x[off + i] - mean) ** 2;
    const scale = Math.sqrt(ss / D + cfg.eps);
    for (let i = 0; i < D; i++) x[off + i] = ((x[off + i] - mean) / scale) * (w ? w[i] : 1) + (b ? b[i] : 0);
  }
  return x;
}

/** y [rows, cols] = x [rows, D] · W[block] ([D, cols] at `offset` of a row-major array) + bias[biasOffset…]. */
export function projectRows(
  x: Float64Array,
  rows: number,
  D: number,
  W: Float32Array,
  offset: number,
  cols: number,
  bias: Float32Array | null,
  biasOffset = 0,
): Float32Array {
  const y = new Float32Array(rows * cols);
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let d = 0; d < D; d++) {
      const xv = x[r * D + d];
      if (xv === 0) continue;
      const wOff = offset + d * cols;
      for (let c = 0; c < cols; c++) acc[c] += xv * W[wOff + c];
    }
    for (let c = 0; c < cols; c++) y[r * cols + c] = acc[c] + (bias ? bias[biasOffset + c] : 0);
  }
  return y;
}
