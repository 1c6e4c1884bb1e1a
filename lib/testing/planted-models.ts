import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from '../models/types';
import type { Tokenizer } from '../tokenizers/types';
import type { PlantedHead } from '../models/planted-truth';
import { makeRng } from '../sampling/random';

/**
 * Hand-built attention-only models whose heads are known by construction — the ground truth the head
 * metrics are tested against. Two layers, three heads each, no normalization, learned positions:
 *
 *   L0H1  previous-token head: Q reads the position one-hot, K the position one-hot shifted by one,
 *         so position i attends to i − 1; its OV copies the token into the PREV subspace.
 *   L0H2  duplicate-token head: Q and K read the token vector (attend to equal tokens), minus the same
 *         score on the diagonal (position one-hots), so the current token itself is not preferred.
 *   L1H1  induction head, K-composing with L0H1: Q reads the current token, K the PREV subspace, so
 *         position i attends to every j whose previous token equals token i; its OV copies the attended
 *         token into the OUT subspace, which the unembedding reads: the model predicts repeats.
 *   L1H2  (option `copyingHead`) copying head: every position attends to position 1 (Q reads the position
 *         one-hot, K only position 1's), and its OV copies the attended token into OUT, raising its logit.
 *   L0H0, L1H0, L1H2  zero QK and OV (L1H2 unless `copyingHead`): uniform causal attention, no output.
 *
 * Residual stream (d_model 320): TOK [0, 64) token vector · POS [64, 192) position one-hot ·
 * PREV [192, 256) previous token's vector · OUT [256, 320) predicted token's vector.
 * Token vectors are seeded random unit vectors in 64 dimensions (a one-hot per token would need
 * d_model ≥ d_vocab): equal tokens score 1, different ones ~N(0, 1/64), which the large attention
 * scale turns into near-zero attention. The vocabulary is large (2048) so that 50 random tokens rarely
 * repeat, which would dilute even a perfect induction head's exact score.
 */

export const PLANTED = {
  dVocab: 2048,
  nCtx: 128,
  /** Dimensions of a token vector. */
  dTok: 64,
  nLayers: 2,
  nHeads: 3,
  /** Pre-softmax score of a planted match (attention logit after TransformerLens' 1/√d_head). */
  matchScore: 30,
  /** Logit scale of the unembedding reading OUT. */
  unembedScale: 30,
  bosId: 0,
  eosId: 1,
  /** Printable ASCII ' '..'~' are ids 2..96, so tests can use readable text. */
  firstCharId: 2,
} as const;

const TOK = 0;
const POS = PLANTED.dTok;
const PREV = POS + PLANTED.nCtx;
const OUT = PREV + PLANTED.dTok;
const D_MODEL = OUT + PLANTED.dTok;
/** Head dimensions: token part [0, 64), position part [64, 192). */
const D_HEAD = PLANTED.dTok + PLANTED.nCtx;
const HEAD_POS = PLANTED.dTok;

export interface HeadAddress {
  layer: number;
  head: number;
}

export interface PlantedModel {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  /** The planted heads; every other head attends uniformly. */
  heads: { previousToken: HeadAddress; duplicateToken: HeadAddress; induction: HeadAddress; copying: HeadAddress | null };
  /** The unit vector of each token, [d_vocab][d_tok] (W_E's TOK block). */
  tokenVectors: Float32Array[];
}

export interface PlantedModelOptions {
  /** Seed of the token vectors. */
  seed?: number;
  /** Zero L0H1's OV (it still attends to i − 1 but writes nothing): breaks the induction head's K-composition. */
  ablatePreviousTokenOV?: boolean;
  /** Plant a copying head at L1H2 (attends to position 1, copies that token's vector into OUT). */
  copyingHead?: boolean;
}

export function buildPlantedModel(options: PlantedModelOptions = {}): PlantedModel {
  const { dVocab, nCtx, dTok, nLayers, nHeads, matchScore, unembedScale } = PLANTED;
  const heads = {
    previousToken: { layer: 0, head: 1 },
    duplicateToken: { layer: 0, head: 2 },
    induction: { layer: 1, head: 1 },
    copying: options.copyingHead ? { layer: 1, head: 2 } : null,
  };
  const cfg: ModelConfig = {
    model_name: 'planted-attn-only-2l',
    n_layers: nLayers,
    d_model: D_MODEL,
    n_heads: nHeads,
    d_head: D_HEAD,
    n_key_value_heads: nHeads,
    d_mlp: 0,
    d_vocab: dVocab,
    n_ctx: nCtx,
    attn_only: true,
    normalization_type: null,
    positional_embedding_type: 'standard',
    rotary_dim: 0,
    rotary_base: 10000,
    act_fn: null,
    gated_mlp: false,
    parallel_attn_mlp: false,
    eps: 1e-5,
    bos_token_id: PLANTED.bosId,
    eos_token_id: PLANTED.eosId,
    original_architecture: 'planted',
  };

  const tokenVectors = randomUnitVectors(dVocab, dTok, options.seed ?? 1);
  const weights: WeightMap = new Map();
  const put = (name: string, shape: number[]): Float32Array => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    weights.set(name, { shape, data } satisfies Tensor);
    return data;
  };

  const W_E = put('embed.W_E', [dVocab, D_MODEL]);
  tokenVectors.forEach((v, t) => W_E.set(v, t * D_MODEL + TOK));
  const W_pos = put('pos_embed.W_pos', [nCtx, D_MODEL]);
  for (let p = 0; p < nCtx; p++) W_pos[p * D_MODEL + POS + p] = 1;

  // Scores are divided by √d_head in the forward pass; fold it into W_Q.
  const q = matchScore * Math.sqrt(D_HEAD);
  // Per-head weight writers: W_Q/W_K/W_V [n_heads, d_model, d_head], W_O [n_heads, d_head, d_model].
  const layer = (l: number) => ({
    W_Q: put(`blocks.${l}.attn.W_Q`, [nHeads, D_MODEL, D_HEAD]),
    W_K: put(`blocks.${l}.attn.W_K`, [nHeads, D_MODEL, D_HEAD]),
    W_V: put(`blocks.${l}.attn.W_V`, [nHeads, D_MODEL, D_HEAD]),
    W_O: put(`blocks.${l}.attn.W_O`, [nHeads, D_HEAD, D_MODEL]),
  });
  const inProj = (h: number, row: number, col: number) => (h * D_MODEL + row) * D_HEAD + col;
  const outProj = (h: number, row: number, col: number) => (h * D_HEAD + row) * D_MODEL + col;

  const l0 = layer(0);
  {
    const h = heads.previousToken.head;
    for (let p = 0; p < nCtx; p++) {
      l0.W_Q[inProj(h, POS + p, HEAD_POS + p)] = q;
      if (p + 1 < nCtx) l0.W_K[inProj(h, POS + p, HEAD_POS + p + 1)] = 1;
    }
    if (!options.ablatePreviousTokenOV) {
      for (let c = 0; c < dTok; c++) {
        l0.W_V[inProj(h, TOK + c, c)] = 1;
        l0.W_O[outProj(h, c, PREV + c)] = 1;
      }
    }
  }
  {
    const h = heads.duplicateToken.head;
    for (let c = 0; c < dTok; c++) {
      l0.W_Q[inProj(h, TOK + c, c)] = q;
      l0.W_K[inProj(h, TOK + c, c)] = 1;
    }
    // The same score taken away on the diagonal: the token itself scores like any other token.
    for (let p = 0; p < nCtx; p++) {
      l0.W_Q[inProj(h, POS + p, HEAD_POS + p)] = -q;
      l0.W_K[inProj(h, POS + p, HEAD_POS + p)] = 1;
    }
  }

  const l1 = layer(1);
  {
    const h = heads.induction.head;
    for (let c = 0; c < dTok; c++) {
      l1.W_Q[inProj(h, TOK + c, c)] = q;
      l1.W_K[inProj(h, PREV + c, c)] = 1;
      l1.W_V[inProj(h, TOK + c, c)] = 1;
      l1.W_O[outProj(h, c, OUT + c)] = 1;
    }
  }

  if (heads.copying) {
    const h = heads.copying.head;
    // Every query position scores key position 1 (and only it) at matchScore.
    for (let p = 0; p < nCtx; p++) l1.W_Q[inProj(h, POS + p, HEAD_POS)] = q;
    l1.W_K[inProj(h, POS + 1, HEAD_POS)] = 1;
    for (let c = 0; c < dTok; c++) {
      l1.W_V[inProj(h, TOK + c, c)] = 1;
      l1.W_O[outProj(h, c, OUT + c)] = 1;
    }
  }

  const W_U = put('unembed.W_U', [D_MODEL, dVocab]);
  for (let t = 0; t < dVocab; t++) {
    for (let c = 0; c < dTok; c++) W_U[(OUT + c) * dVocab + t] = unembedScale * tokenVectors[t][c];
  }

  return {
    model: {
      cfg,
      weights,
      source: { path: 'lib/testing/planted-models.ts', format: 'planted', license: 'MIT' },
      plantedTruth: plantedTruth(heads, options),
    },
    tokenizer: plantedTokenizer(),
    heads,
    tokenVectors,
  };
}

/** The heads planted by construction, as the model's metadata carries them (lib/models/planted-truth.ts). The
 * induction head is left out when L0H1's OV is zeroed: its K-composition is then broken by construction. */
function plantedTruth(heads: PlantedModel['heads'], options: PlantedModelOptions): PlantedHead[] {
  const truth: PlantedHead[] = [
    { ...heads.previousToken, role: 'previous_token' },
    { ...heads.duplicateToken, role: 'duplicate_token' },
  ];
  if (!options.ablatePreviousTokenOV) truth.push({ ...heads.induction, role: 'induction' });
  if (heads.copying) truth.push({ ...heads.copying, role: 'copying' });
  return truth;
}

/** Seeded random unit vectors (Gaussian directions). */
function randomUnitVectors(count: number, dim: number, seed: number): Float32Array[] {
  const rng = makeRng(seed);
  const gaussian = () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = rng.next();
    const v = rng.next();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  };
  return Array.from({ length: count }, () => {
    const v = Array.from({ length: dim }, gaussian);
    const norm = Math.hypot(...v);
    return Float32Array.from(v, (x) => x / norm);
  });
}

/**
 * The planted models' tokenizer: one token per printable ASCII character (ids 2..96), BOS 0, EOS 1;
 * ids 97..2047 have no text (pieces `<t97>` …) and appear only in random-token inputs.
 */
export function plantedTokenizer(): Tokenizer {
  const { dVocab, bosId, eosId, firstCharId } = PLANTED;
  const piece = (id: number): string => {
    if (!Number.isInteger(id) || id < 0 || id >= dVocab) throw new Error(`planted tokenizer: id ${id} is not in 0..${dVocab - 1}`);
    if (id === bosId) return '<s>';
    if (id === eosId) return '</s>';
    if (id < firstCharId + 95) return String.fromCharCode(32 + id - firstCharId);
    return `<t${id}>`;
  };
  return {
    vocabSize: dVocab,
    bosId,
    eosId,
    specialIds: new Set([bosId, eosId]),
    encode(text, opts) {
      const ids = [...text].map((ch, i) => {
        const code = ch.codePointAt(0)!;
        if (code < 32 || code > 126) {
          throw new Error(`planted tokenizer: character ${JSON.stringify(ch)} at index ${i} is not printable ASCII`);
        }
        return firstCharId + code - 32;
      });
      return opts?.bos ? [bosId, ...ids] : ids;
    },
    decode: (ids) =>
      ids
        .filter((id) => id !== bosId && id !== eosId)
        .map(piece)
        .join(''),
    piece,
  };
}
