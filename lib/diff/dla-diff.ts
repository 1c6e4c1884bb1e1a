import type { ModelConfig, WeightMap } from '../models/types';
import { normCentres } from '../models/types';
import type { ActivationCache } from '../engine/types';
import { ExactSums } from '../metrics/streaming/exact-sum';
import type { CorpusShard, DlaDiff, DlaDiffEntry, DlaTextDiff, WhiteBoxPartial } from './types';
import { TopK } from './top-k';

/**
 * Direct logit attribution differences (open problem 6.57), accumulated in the white box's corpus pass
 * (activation-diff.ts): each model's DLA of every head and layer output to the correct next token, summed exactly
 * over the corpus and per document (the texts where one component's DLA differs most).
 */

/** DLA units per layer: heads, then the attention output, then the MLP output. */
export const dlaUnitsPerLayer = (cfg: ModelConfig) => cfg.n_heads + 1 + (cfg.attn_only ? 0 : 1);

/**
 * W_U's column of a token with the final norm's weight folded in (if unfolded) and centred for LayerNorm: everything
 * of the linearised final norm but the position's scale. Cached per token (a corpus uses a few thousand distinct ones),
 * so a position reads one contiguous vector instead of a strided column of [d_model, d_vocab].
 */
export class UnembedColumns {
  private readonly cache = new Map<number, Float64Array>();

  constructor(
    private readonly cfg: ModelConfig,
    private readonly weights: WeightMap,
  ) {
    if (!weights.get('unembed.W_U')) throw new Error(`${cfg.model_name}: direct logit attribution needs unembed.W_U`);
  }

  get(token: number): Float64Array {
    let column = this.cache.get(token);
    if (column) return column;
    const d = this.cfg.d_model;
    const WU = this.weights.get('unembed.W_U')!;
    const wFinal = this.weights.get('ln_final.w')?.data;
    column = new Float64Array(d);
    for (let i = 0; i < d; i++) column[i] = WU.data[i * WU.shape[1] + token] * (wFinal ? wFinal[i] : 1);
    if (normCentres(this.cfg)) {
      let mean = 0;
      for (let i = 0; i < d; i++) mean += column[i];
      mean /= d;
      for (let i = 0; i < d; i++) column[i] -= mean;
    }
    this.cache.set(token, column);
    return column;
  }
}

/**
 * One model's direct logit attribution to the correct next token for one window, per head and per layer output,
 * summed over its positions: the output dotted with W_U[:, next token] through the final norm linearised at that
 * position (÷ ln_final.hook_scale, × ln_final.w if unfolded, centred for LayerNorm), as lib/metrics/heads/direct-logit-attribution.ts.
 */
export function accumulateDla(
  cfg: ModelConfig,
  columns: UnembedColumns,
  cache: ActivationCache,
  prefix: string,
  row: number,
  seqLen: number,
  tokens: number[],
  into: ExactSums,
  document: Float64Array,
): void {
  const { n_layers: L, n_heads: H, d_model: d } = cfg;
  const scale = cache.get(`${prefix}ln_final.hook_scale`)?.data;
  const per = dlaUnitsPerLayer(cfg);
  const sums = new Float64Array(L * per);
  const results = Array.from({ length: L }, (_, l) => cache.get(`${prefix}blocks.${l}.attn.hook_result`)!.data);
  const attnOuts = Array.from({ length: L }, (_, l) => cache.get(`${prefix}blocks.${l}.hook_attn_out`)!.data);
  const mlpOuts = cfg.attn_only ? [] : Array.from({ length: L }, (_, l) => cache.get(`${prefix}blocks.${l}.hook_mlp_out`)!.data);
  for (let p = 0; p + 1 < tokens.length; p++) {
    const column = columns.get(tokens[p + 1]);
    // The final norm linearised at this position: divide by its scale.
    const inv = 1 / (scale ? scale[row * seqLen + p] : 1);
    const at = row * seqLen + p;
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) sums[l * per + h] += dot(results[l], (at * H + h) * d, column, d) * inv;
      sums[l * per + H] += dot(attnOuts[l], at * d, column, d) * inv;
      if (!cfg.attn_only) sums[l * per + H + 1] += dot(mlpOuts[l], at * d, column, d) * inv;
    }
  }
  sums.forEach((v, i) => {
    into.add(i, v);
    document[i] += v;
  });
}

export const byTextDiff = (x: DlaTextDiff, y: DlaTextDiff) => Math.abs(y.diff) - Math.abs(x.diff) || x.document - y.document;

/** DLA entry of unit u (layer-major: heads, attn, mlp). */
function dlaEntry(cfg: ModelConfig, u: number, dlaA: number, dlaB: number): DlaDiffEntry {
  const per = dlaUnitsPerLayer(cfg);
  const k = u % per;
  const H = cfg.n_heads;
  return {
    component: k < H ? 'head' : k === H ? 'attn' : 'mlp',
    layer: Math.floor(u / per),
    head: k < H ? k : null,
    dlaA,
    dlaB,
    diff: dlaB - dlaA,
  };
}

export function documentDlaTexts(
  cfg: ModelConfig,
  perDocument: Map<number, { a: Float64Array; b: Float64Array; positions: number }>,
  shard: CorpusShard,
  topK: number,
): DlaTextDiff[] {
  const top = new TopK<DlaTextDiff>(topK, byTextDiff);
  for (const [i, doc] of perDocument) {
    if (doc.positions === 0) continue;
    let best = 0;
    for (let u = 1; u < doc.a.length; u++) if (Math.abs(doc.b[u] - doc.a[u]) > Math.abs(doc.b[best] - doc.a[best])) best = u;
    const entry = dlaEntry(cfg, best, doc.a[best] / doc.positions, doc.b[best] / doc.positions);
    top.push({ ...entry, document: shard.firstDocument + i, text: String(shard.documents[i]).slice(0, 200), positions: doc.positions });
  }
  return top.items;
}

function dot(x: Float32Array, offset: number, column: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += x[offset + i] * column[i];
  return s;
}

export function dlaDiff(partial: WhiteBoxPartial, topK: number): DlaDiff {
  const [sa, sb] = [ExactSums.fromJSON(partial.dla.a), ExactSums.fromJSON(partial.dla.b)];
  const n = partial.dlaPositions;
  // Units per layer: heads, attn, and mlp unless attention-only.
  const cfg = { n_heads: partial.a.nHeads, attn_only: sa.count / partial.a.nLayers === partial.a.nHeads + 1 } as ModelConfig;
  const entries = Array.from({ length: sa.count }, (_, u) =>
    dlaEntry(cfg, u, n === 0 ? 0 : sa.value(u) / n, n === 0 ? 0 : sb.value(u) / n),
  );
  const order = new Map(entries.map((e, i) => [e, i]));
  const top = new TopK<DlaDiffEntry>(topK, (x, y) => Math.abs(y.diff) - Math.abs(x.diff) || order.get(x)! - order.get(y)!);
  entries.forEach((e) => top.push(e));
  return { positions: n, entries, top: top.items, texts: partial.dlaTexts };
}
