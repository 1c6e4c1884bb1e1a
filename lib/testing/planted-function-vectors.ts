import type { WeightMap } from '../models/types';
import type { Tokenizer } from '../tokenizers/types';
import { ICL_WORD_PAIRS } from '../circuits/tasks/icl';
import { PLANTED_CIRCUIT, type PlantedCircuitModel } from './planted-circuits';
import { plantedAttentionOnlyConfig, weightWriter } from './planted-weights';

/**
 * Planted FUNCTION-VECTOR and TRANSLATION heads (Todd et al. 2023; open problems 6.21, 6.22), on lib/circuits'
 * few-shot prompts "x: y\n" × 4 then "x_q:" (answer y_q; the corrupted prompt shuffles the demonstrations' answers).
 * Three layers × two heads and one MLP, no normalization, learned positions, a word-level tokenizer over the ICL words.
 *   L0H0, L0H1  write the token 2 back (X2) and 1 back (X1) at every position.
 *   L1H0  checks each demonstration: at a y position it attends to the token 2 back when (that token, y) is a pair of
 *         any task (pair score + position score beat BOS), else to BOS; it writes VALID. Shuffled labels: no VALID.
 *   L2H0  function-vector head for antonyms and capitals: from END it attends to VALID positions and writes the task
 *         of their answers (TASK one-hot). L2H1 the same for English → French (a translation head).
 *   MLP2  one ReLU neuron per (task, x): TASK_τ + X1_x − 1.5 > 0 writes f_τ(x) into OUT (an AND of "the task is τ"
 *         and "the query word is x"). The unembedding reads OUT.
 * So patching L2H0's clean output at the last token into a shuffled prompt restores the antonym and capital answers
 * fully and the French one not at all, L2H1 the reverse: average indirect effects 2/3 and 1/3 (both function-vector
 * heads), translation L2H1 alone. Every other head's last-token output is the same in clean and corrupted prompts.
 */
export const PLANTED_FUNCTION_VECTOR_HEADS = { antonymCapital: { layer: 2, head: 0 }, translation: { layer: 2, head: 1 } } as const;

const TASKS = ['icl_antonym', 'icl_country_capital', 'icl_english_french'] as const;

export function buildPlantedFunctionVectorModel(): PlantedCircuitModel {
  const words = [...new Set(TASKS.flatMap((t) => ICL_WORD_PAIRS[t].flat()))];
  const pieces = ['<s>', ':', '\n', ...words];
  const ids = new Map(pieces.map((p, i) => [p, i]));
  const split = (text: string) => text.match(/ ?[A-Za-z]+|\n|[^\sA-Za-z]/g) ?? [];
  const tokenizer: Tokenizer = {
    vocabSize: pieces.length,
    bosId: 0,
    eosId: 0,
    specialIds: new Set([0]),
    encode(text, opts) {
      const out = split(text).map((w) => {
        const id = ids.get(w.replace(/^ /, ''));
        if (id === undefined) throw new Error(`planted few-shot tokenizer: unknown word ${JSON.stringify(w)}`);
        return id;
      });
      return opts?.bos ? [0, ...out] : out;
    },
    decode: (list) => list.map((i) => pieces[i] ?? '').join(' '),
    piece: (id) => pieces[id] ?? `<${id}>`,
  };
  const V = pieces.length;
  const nCtx = 24;
  const [TOK, POS] = [0, V];
  const X2 = POS + nCtx;
  const X1 = X2 + V;
  const [VALID, TASK] = [X1 + V, X1 + V + 1];
  const CONST = TASK + TASKS.length;
  const BOSD = CONST + 1;
  const NONBOS = BOSD + 1;
  const OUT = NONBOS + 1;
  const D = OUT + V;
  // Head columns: [0, V) tokens, [V, V + nCtx) positions, the last one BOS's fallback score.
  const HPOS = V;
  const dh = V + nCtx + 1;
  const FLAG = dh - 1;
  const neurons = TASKS.flatMap((task, ti) => ICL_WORD_PAIRS[task].map(([x, y]) => ({ ti, x: ids.get(x)!, y: ids.get(y)! })));
  const M = neurons.length;
  const cfg = { ...plantedAttentionOnlyConfig('planted-function-vectors', 3, 2, D, dh, V, nCtx), attn_only: false, d_mlp: M };
  cfg.act_fn = 'relu';
  const weights: WeightMap = new Map();
  const put = weightWriter(weights);
  const W_E = put('embed.W_E', [V, D]);
  for (let t = 0; t < V; t++) W_E[t * D + TOK + t] = 1;
  W_E[BOSD] = 1;
  for (let t = 1; t < V; t++) W_E[t * D + NONBOS] = 1;
  const W_pos = put('pos_embed.W_pos', [nCtx, D]);
  for (let p = 0; p < nCtx; p++) W_pos[p * D + POS + p] = W_pos[p * D + CONST] = 1;
  const s = Math.sqrt(dh); // the forward divides scores by √d_head: fold it into W_Q
  const { matchScore, bosScore, unembed } = PLANTED_CIRCUIT;
  const layers = [0, 1, 2].map((l) => ({
    W_Q: put(`blocks.${l}.attn.W_Q`, [2, D, dh]),
    W_K: put(`blocks.${l}.attn.W_K`, [2, D, dh]),
    W_V: put(`blocks.${l}.attn.W_V`, [2, D, dh]),
    W_O: put(`blocks.${l}.attn.W_O`, [2, dh, D]),
    W_in: put(`blocks.${l}.mlp.W_in`, [D, M]),
    b_in: put(`blocks.${l}.mlp.b_in`, [M]),
    W_out: put(`blocks.${l}.mlp.W_out`, [M, D]),
  }));
  const inP = (h: number, row: number, col: number) => (h * D + row) * dh + col;
  const outP = (h: number, row: number, col: number) => (h * dh + row) * D + col;
  const [l0, l1, l2] = layers;
  // BOS is every head's fallback (L1H0's is 1.5 × a match: only a pair AND the right position beat it).
  for (const [l, { W_Q, W_K }] of layers.entries())
    for (let h = 0; h < 2; h++) {
      W_Q[inP(h, CONST, FLAG)] = s;
      W_K[inP(h, BOSD, FLAG)] = l === 1 ? 1.5 * matchScore : bosScore;
    }
  // Attention from position t to t − back (L0H0: 2, L0H1: 1, L1H0: 2).
  const lookBack = (w: (typeof layers)[number], h: number, back: number) => {
    for (let p = back; p < nCtx; p++) {
      w.W_Q[inP(h, POS + p, HPOS + p - back)] = matchScore * s;
      w.W_K[inP(h, POS + p - back, HPOS + p - back)] = 1;
    }
  };
  lookBack(l0, 0, 2);
  lookBack(l0, 1, 1);
  lookBack(l1, 0, 2);
  for (let t = 0; t < V; t++) {
    l0.W_V[inP(0, TOK + t, t)] = l0.W_V[inP(1, TOK + t, t)] = 1;
    l0.W_O[outP(0, t, X2 + t)] = 1;
    l0.W_O[outP(1, t, X1 + t)] = 1;
  }
  // L1H0's pair score: the query's token y against the key's token x, one column per answer y.
  for (const { x, y } of neurons) {
    l1.W_Q[inP(0, TOK + y, y)] = matchScore * s;
    l1.W_K[inP(0, TOK + x, y)] = 1;
  }
  l1.W_V[inP(0, NONBOS, 0)] = 1;
  l1.W_O[outP(0, 0, VALID)] = 1;
  // L2H0 (antonym, capital) and L2H1 (English → French): attend to VALID positions, write their answers' task.
  for (const h of [0, 1]) {
    l2.W_K[inP(h, VALID, FLAG)] = matchScore;
    for (const { ti, y } of neurons) {
      if ((ti === 2) !== (h === 1)) continue;
      l2.W_V[inP(h, TOK + y, ti)] = 1;
      l2.W_O[outP(h, ti, TASK + ti)] = 1;
    }
  }
  // MLP2: neuron (τ, x) fires when the task is τ and the query word (1 back from END) is x; it writes f_τ(x).
  neurons.forEach(({ ti, x, y }, i) => {
    l2.W_in[(TASK + ti) * M + i] = 1;
    l2.W_in[(X1 + x) * M + i] = 1;
    l2.b_in[i] = -1.5;
    l2.W_out[i * D + OUT + y] = 2;
  });
  const W_U = put('unembed.W_U', [D, V]);
  for (let t = 1; t < V; t++) W_U[(OUT + t) * V + t] = unembed;
  return {
    model: { cfg, weights, source: { path: 'lib/testing/planted-function-vectors.ts', format: 'planted', license: 'MIT' } },
    tokenizer,
  };
}
