import type { ModelConfig, WeightMap } from '../../models/types';
import { normCentres } from '../../models/types';
import type { Tokenizer } from '../../tokenizers/types';
import type { HeadMetric } from './types';
import { headWeight, perHead } from './head-weights';

/**
 * Successor heads (Gould et al. 2023): heads whose OV circuit maps an ordinal token ("Monday", "3",
 * "c") to its successor ("Tuesday", "4", "d"). Scored on the tokenizer's single-token ordinal sequences.
 */
export const ORDINAL_SEQUENCES: Record<string, string[]> = {
  digits: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  number_words: ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'],
  number_words_capitalised: ['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten'],
  ordinals: ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'],
  days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  letters_lower: [...'abcdefghijklmnopqrstuvwxyz'],
  letters_upper: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
};

export interface OrdinalTask {
  name: string;
  /** One token id per item, in order. */
  ids: number[];
}

/**
 * The sequences whose every item is one token, as the tokenizer encodes a word in running text:
 * the item alone (tokenizers with a dummy prefix space make that "▁Monday"; when they split off a lone
 * "▁", the token after it), else with a leading space (byte-level BPE's " Monday"). Sequences with a
 * multi-token item, or two items on the same token, are not usable.
 */
export function ordinalTasks(tokenizer: Tokenizer): { usable: OrdinalTask[]; unusable: string[] } {
  const single = (text: string): number | null => {
    try {
      const ids = tokenizer.encode(text);
      if (ids.length === 1) return ids[0];
      // A tokenizer with a dummy prefix space may split "1" into "▁" + "1": the item's own token is the second.
      if (ids.length === 2 && /^[▁ Ġ]$/.test(tokenizer.piece(ids[0]))) return ids[1];
      return null;
    } catch {
      return null;
    }
  };
  const usable: OrdinalTask[] = [];
  const unusable: string[] = [];
  for (const [name, items] of Object.entries(ORDINAL_SEQUENCES)) {
    for (const form of [(s: string) => s, (s: string) => ` ${s}`]) {
      const ids = items.map((item) => single(form(item)));
      if (ids.every((id): id is number => id !== null) && new Set(ids).size === ids.length) {
        usable.push({ name, ids });
        break;
      }
    }
    if (usable.at(-1)?.name !== name) unusable.push(name);
  }
  return { usable, unusable };
}

/** A norm applied to one vector, as the model's norm of that kind would (scale and bias included). */
function applyNorm(cfg: ModelConfig, x: Float64Array, w?: Float32Array, b?: Float32Array): Float64Array {
  if (cfg.normalization_type === null) return x;
  const d = x.length;
  let mean = 0;
  if (normCentres(cfg)) {
    for (const v of x) mean += v / d;
  }
  let ms = 0;
  for (const v of x) ms += ((v - mean) * (v - mean)) / d;
  const inv = 1 / Math.sqrt(ms + cfg.eps);
  return Float64Array.from(x, (v, i) => (v - mean) * inv * (w ? w[i] : 1) + (b ? b[i] : 0));
}

/**
 * The head's effective OV logits of a token restricted to `candidates`: W_E[t] through the head's
 * layer's ln1, then W_V (+ b_V) W_O, centred if the final norm is a LayerNorm, scaled by ln_final.w,
 * then W_U's columns of the candidates.
 */
export function effectiveOvLogits(
  cfg: ModelConfig,
  weights: WeightMap,
  layer: number,
  head: number,
  token: number,
  candidates: readonly number[],
): Float64Array {
  const d = cfg.d_model;
  const WE = weights.get('embed.W_E')!;
  const WU = weights.get('unembed.W_U')!;
  const x = applyNorm(
    cfg,
    Float64Array.from(WE.data.subarray(token * d, (token + 1) * d)),
    weights.get(`blocks.${layer}.ln1.w`)?.data,
    weights.get(`blocks.${layer}.ln1.b`)?.data,
  );
  const WV = headWeight(cfg, weights, layer, head, 'W_V');
  const WO = headWeight(cfg, weights, layer, head, 'W_O');
  const kv = Math.floor((head * cfg.n_key_value_heads) / cfg.n_heads);
  const bV = weights.get(`blocks.${layer}.attn.b_V`)?.data;
  const v = new Float64Array(cfg.d_head);
  for (let c = 0; c < cfg.d_head; c++) {
    let s = bV ? bV[kv * cfg.d_head + c] : 0;
    for (let i = 0; i < d; i++) s += x[i] * WV.data[i * cfg.d_head + c];
    v[c] = s;
  }
  const out = new Float64Array(d);
  for (let c = 0; c < cfg.d_head; c++) for (let i = 0; i < d; i++) out[i] += v[c] * WO.data[c * d + i];
  if (normCentres(cfg)) {
    const mean = out.reduce((a, b) => a + b, 0) / d;
    for (let i = 0; i < d; i++) out[i] -= mean;
  }
  const wFinal = weights.get('ln_final.w')?.data;
  if (wFinal) for (let i = 0; i < d; i++) out[i] *= wFinal[i];
  const uCols = WU.shape[1];
  return Float64Array.from(candidates, (t) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += out[i] * WU.data[i * uCols + t];
    return s;
  });
}

/** Share of (item, next item) pairs over the usable sequences whose successor strictly tops the sequence's tokens. */
export function successorScores(cfg: ModelConfig, weights: WeightMap, tasks: readonly OrdinalTask[]): number[][] {
  const pairs = tasks.reduce((n, t) => n + t.ids.length - 1, 0);
  return perHead(cfg, (layer, head) => {
    if (pairs === 0) return 0;
    let hits = 0;
    for (const task of tasks) {
      for (let i = 0; i + 1 < task.ids.length; i++) {
        const logits = effectiveOvLogits(cfg, weights, layer, head, task.ids[i], task.ids);
        const target = logits[i + 1];
        if (logits.every((v, j) => j === i + 1 || v < target)) hits++;
      }
    }
    return hits / pairs;
  });
}

export const successorMetric: HeadMetric = {
  id: 'successor',
  title: 'Successor',
  summary: "Share of ordinal items (numbers, days, months, letters) whose successor the head's OV circuit ranks first.",
  definition:
    'Sequences: digits 0–9, number words one–ten (and One–Ten), ordinals first–tenth, Monday–Sunday, January–December, a–z, A–Z. ' +
    'A sequence is used when each item is a single token (the item alone — after a lone dummy-prefix "▁" if the tokenizer splits one off — else with a leading space); the run reports which were usable. ' +
    "were usable. For each item t_i but the last: the effective OV logits W_E[t_i] → ln1 of the head's layer → W_V (+ b_V) W_O → " +
    '(centred for LayerNorm) × ln_final.w → W_U, restricted to the tokens of the same sequence. Score: the share of items whose ' +
    'successor t_{i+1} has the strictly highest logit, over all usable sequences. Unlike Gould et al. (GPT-2 small), no MLP0 ' +
    'is applied to the embedding; 0 when no sequence is usable.',
  citation: {
    text: 'Gould, Ong, Ogden, Conmy 2023, "Successor Heads: Recurring, Interpretable Attention Heads In The Wild" (succession score)',
    url: 'https://arxiv.org/abs/2312.09230',
  },
  range: [0, 1],
  version: 1,
  needs: 'weights',
  compute: async (ctx) => successorScores(ctx.cfg, ctx.weights, ordinalTasks(ctx.tokenizer).usable),
};
