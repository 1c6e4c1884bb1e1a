import type { ModelConfig, WeightMap } from '../../models/types';
import { matrix, type Matrix } from '../../numerics/matrix';

/**
 * One head's weight matrices in float64, TransformerLens layout: W_Q, W_K, W_V [d_model, d_head],
 * W_O [d_head, d_model]. Grouped-query attention: query head h reads kv head ⌊h · n_kv / n_heads⌋.
 * Raw weights: no weight processing is applied here (the run records which processing its weights had).
 */
export type HeadWeightName = 'W_Q' | 'W_K' | 'W_V' | 'W_O';

export function headWeight(cfg: ModelConfig, weights: WeightMap, layer: number, head: number, name: HeadWeightName): Matrix {
  const t = weights.get(`blocks.${layer}.attn.${name}`);
  if (!t) throw new Error(`${cfg.model_name}: weight blocks.${layer}.attn.${name} is missing`);
  const kv = name === 'W_K' || name === 'W_V';
  const index = kv ? Math.floor((head * cfg.n_key_value_heads) / cfg.n_heads) : head;
  const [rows, cols] = name === 'W_O' ? [cfg.d_head, cfg.d_model] : [cfg.d_model, cfg.d_head];
  const size = rows * cols;
  return matrix(rows, cols, t.data.subarray(index * size, (index + 1) * size));
}

/** Every head address of a config, layer-major. */
export function allHeads(cfg: ModelConfig): { layer: number; head: number }[] {
  const out: { layer: number; head: number }[] = [];
  for (let layer = 0; layer < cfg.n_layers; layer++) for (let head = 0; head < cfg.n_heads; head++) out.push({ layer, head });
  return out;
}

/** result[layer][head] filled by f. */
export function perHead(cfg: ModelConfig, f: (layer: number, head: number) => number): number[][] {
  return Array.from({ length: cfg.n_layers }, (_, layer) => Array.from({ length: cfg.n_heads }, (_, head) => f(layer, head)));
}
