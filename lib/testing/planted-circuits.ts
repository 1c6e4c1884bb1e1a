import type { CanonicalModel, WeightMap } from '../models/types';
import { plantedAttentionOnlyConfig, weightWriter } from './planted-weights';
import type { Tokenizer } from '../tokenizers/types';
import { IOI_NAMES, IOI_TEMPLATES } from '../circuits/tasks/ioi';
import type { CircuitEdge } from '../circuits/types';
import { FACTS } from '../circuits/tasks/factual';

/**
 * A hand-built attention-only model with a PLANTED IOI circuit (Wang et al. 2022) and a copy-suppression head
 * (McDougall et al. 2023), for the circuit computations' known answers. Four layers, three heads each, no
 * normalization, learned positions, a word-level tokenizer that keeps the IOI templates' words and names whole.
 *
 *   L0H0  duplicate-token head: a name attends to an earlier copy of itself (else BOS) and writes DUP (a flag)
 *         and DUPNAME (the name) at S2.
 *   L1H0  S-inhibition head: attends to the DUP position (S2; else BOS) and copies DUPNAME into SINH at END.
 *   L2H0, L2H1  name movers: attend to names (ISNAME) minus the name in SINH (so IO, not S) and copy it into OUT.
 *   L2H2  negative name mover: the same attention, OV writing −½ the name into OUT (not copy suppression: its query
 *         reads SINH and a constant, never the predicted token).
 *   L3H0  copy-suppression head: its query reads OUT (what is predicted), its key the name, and it writes −½ of the
 *         attended name; it attends to IO only while the prediction has IO at ≥ 1.25 (BOS beats 1.0 × the match).
 *   Every other head has zero weights: uniform attention, no output.
 * Logits: W_U reads OUT, UNEMBED per unit. Clean logit difference = (1 + 1 − ½ − ½) · UNEMBED; with ABC names 0.
 *
 * Residual stream: NAME one-hot [0, 20) · ISNAME · CONST (1 everywhere) · BOSD (1 at BOS) · POS one-hot [n_ctx] ·
 * DUP · DUPNAME [20] · SINH [20] · OUT [20]. Heads read and write disjoint subspaces, so the circuit's edges follow
 * from the construction: PLANTED_IOI_EDGES lists them (what discovery must find, and nothing else).
 */

export const PLANTED_CIRCUIT = { nCtx: 32, unembed: 10, matchScore: 30, bosScore: 15, csBosScore: 37.5 } as const;

const NAMES = IOI_NAMES.length;
const NAME = 0;
const ISNAME = NAMES;
const CONST = ISNAME + 1;
const BOSD = CONST + 1;
const POS = BOSD + 1;
const DUP = POS + PLANTED_CIRCUIT.nCtx;
const DUPNAME = DUP + 1;
const SINH = DUPNAME + NAMES;
const OUT = SINH + NAMES;
const D_MODEL = OUT + NAMES;
const D_HEAD = 64;
/** The residual stream's subspaces (offsets), for models built on top of this one (lib/testing/planted-roles.ts). */
export const PLANTED_IOI_LAYOUT = { NAME, ISNAME, CONST, BOSD, POS, DUP, DUPNAME, SINH, OUT, D_MODEL, D_HEAD } as const;

export const PLANTED_IOI_HEADS = {
  duplicateToken: { layer: 0, head: 0 },
  sInhibition: { layer: 1, head: 0 },
  nameMovers: [
    { layer: 2, head: 0 },
    { layer: 2, head: 1 },
  ],
  negativeNameMover: { layer: 2, head: 2 },
  copySuppression: { layer: 3, head: 0 },
} as const;

/** The edges of the planted circuit (sender → receiver input), derived from the construction above. */
export const PLANTED_IOI_EDGES: Array<Pick<CircuitEdge, 'from' | 'to' | 'channel'>> = [
  ...(['q', 'k', 'v'] as const).map((channel) => ({ from: 'embed', to: 'L0H0', channel })),
  { from: 'L0H0', to: 'L1H0', channel: 'k' },
  { from: 'L0H0', to: 'L1H0', channel: 'v' },
  ...['L2H0', 'L2H1', 'L2H2'].flatMap((to) => [
    { from: 'L1H0', to, channel: 'q' as const },
    { from: 'embed', to, channel: 'k' as const },
    { from: 'embed', to, channel: 'v' as const },
  ]),
  // The copy-suppression head's query needs both name movers (one alone leaves IO at ½ < the BOS score).
  { from: 'L2H0', to: 'L3H0', channel: 'q' },
  { from: 'L2H1', to: 'L3H0', channel: 'q' },
  { from: 'embed', to: 'L3H0', channel: 'k' },
  { from: 'embed', to: 'L3H0', channel: 'v' },
  ...['L2H0', 'L2H1', 'L2H2', 'L3H0'].map((from) => ({ from, to: 'logits', channel: 'logits' as const })),
];

/** Word-level tokenizer over the IOI templates' words and the names (" Mary" and "Mary" both one token). */
export function plantedCircuitTokenizer(): Tokenizer {
  const words = new Set<string>();
  const split = (text: string) => text.match(/\s?[A-Za-z]+|\s?[^\sA-Za-z]/g) ?? [];
  for (const t of IOI_TEMPLATES) for (const w of split(t.replace(/\[[ABS]\]/g, ''))) words.add(w.trim());
  const pieces = ['<s>', '</s>', ...IOI_NAMES.flatMap((n) => [` ${n}`, n])];
  for (const w of words) if (w) pieces.push(w, ` ${w}`);
  const ids = new Map(pieces.map((p, i) => [p, i]));
  return {
    vocabSize: pieces.length,
    bosId: 0,
    eosId: 1,
    specialIds: new Set([0, 1]),
    encode(text, opts) {
      const out = split(text).map((w) => {
        const id = ids.get(w);
        if (id === undefined) throw new Error(`planted circuit tokenizer: unknown word ${JSON.stringify(w)}`);
        return id;
      });
      return opts?.bos ? [0, ...out] : out;
    },
    decode: (list) =>
      list
        .filter((i) => i > 1)
        .map((i) => pieces[i])
        .join(''),
    piece: (id) => {
      if (!Number.isInteger(id) || id < 0 || id >= pieces.length) throw new Error(`planted circuit tokenizer: id ${id} out of range`);
      return pieces[id];
    },
  };
}

export interface PlantedCircuitModel {
  model: CanonicalModel;
  tokenizer: Tokenizer;
}

export function buildPlantedIoiModel(): PlantedCircuitModel {
  const tokenizer = plantedCircuitTokenizer();
  const { nCtx, unembed, matchScore, bosScore, csBosScore } = PLANTED_CIRCUIT;
  const nLayers = 4;
  const nHeads = 3;
  const dVocab = tokenizer.vocabSize;
  const cfg = plantedAttentionOnlyConfig('planted-ioi-circuit', nLayers, nHeads, D_MODEL, D_HEAD, dVocab, nCtx, 1);
  const weights: WeightMap = new Map();
  const put = weightWriter(weights);
  // Name index of a token id (both spellings), or -1.
  const nameOf = (id: number): number => {
    const piece = tokenizer.piece(id).trim();
    return IOI_NAMES.indexOf(piece);
  };
  const W_E = put('embed.W_E', [dVocab, D_MODEL]);
  for (let t = 0; t < dVocab; t++) {
    const n = nameOf(t);
    if (n >= 0) {
      W_E[t * D_MODEL + NAME + n] = 1;
      W_E[t * D_MODEL + ISNAME] = 1;
    }
  }
  W_E[0 * D_MODEL + BOSD] = 1;
  const W_pos = put('pos_embed.W_pos', [nCtx, D_MODEL]);
  for (let p = 0; p < nCtx; p++) {
    W_pos[p * D_MODEL + POS + p] = 1;
    W_pos[p * D_MODEL + CONST] = 1;
  }
  // Scores are divided by √d_head in the forward pass: fold it into W_Q.
  const s = Math.sqrt(D_HEAD);
  const inProj = (h: number, row: number, col: number) => (h * D_MODEL + row) * D_HEAD + col;
  const outProj = (h: number, row: number, col: number) => (h * D_HEAD + row) * D_MODEL + col;
  const layer = (l: number) => ({
    W_Q: put(`blocks.${l}.attn.W_Q`, [nHeads, D_MODEL, D_HEAD]),
    W_K: put(`blocks.${l}.attn.W_K`, [nHeads, D_MODEL, D_HEAD]),
    W_V: put(`blocks.${l}.attn.W_V`, [nHeads, D_MODEL, D_HEAD]),
    W_O: put(`blocks.${l}.attn.W_O`, [nHeads, D_HEAD, D_MODEL]),
  });
  const [l0, l1, l2, l3] = [0, 1, 2, 3].map(layer);
  // Head dimensions used below: [0, 20) names, 20 a constant-vs-flag score, [21, 21 + nCtx) positions.
  const FLAG = NAMES;
  const HPOS = NAMES + 1;

  // L0H0 duplicate-token: name match 30, own position −30, BOS 15; value: ISNAME → DUP, NAME → DUPNAME.
  for (let n = 0; n < NAMES; n++) {
    l0.W_Q[inProj(0, NAME + n, n)] = matchScore * s;
    l0.W_K[inProj(0, NAME + n, n)] = 1;
    l0.W_V[inProj(0, NAME + n, n)] = 1;
    l0.W_O[outProj(0, n, DUPNAME + n)] = 1;
  }
  l0.W_Q[inProj(0, CONST, FLAG)] = bosScore * s;
  l0.W_K[inProj(0, BOSD, FLAG)] = 1;
  for (let p = 0; p < nCtx; p++) {
    l0.W_Q[inProj(0, POS + p, HPOS + p)] = -matchScore * s;
    l0.W_K[inProj(0, POS + p, HPOS + p)] = 1;
  }
  l0.W_V[inProj(0, ISNAME, FLAG)] = 1;
  l0.W_O[outProj(0, FLAG, DUP)] = 1;

  // L1H0 S-inhibition: DUP 30, BOS 15; value: DUPNAME → SINH.
  l1.W_Q[inProj(0, CONST, FLAG)] = s;
  l1.W_K[inProj(0, DUP, FLAG)] = matchScore;
  l1.W_K[inProj(0, BOSD, FLAG)] = bosScore;
  for (let n = 0; n < NAMES; n++) {
    l1.W_V[inProj(0, DUPNAME + n, n)] = 1;
    l1.W_O[outProj(0, n, SINH + n)] = 1;
  }

  // L2H0, L2H1 name movers and L2H2 negative name mover: names 30, the S-inhibited name −60, BOS 15.
  for (const [h, sign] of [
    [0, 1],
    [1, 1],
    [2, -0.5],
  ]) {
    l2.W_Q[inProj(h, CONST, FLAG)] = s;
    l2.W_K[inProj(h, ISNAME, FLAG)] = matchScore;
    l2.W_K[inProj(h, BOSD, FLAG)] = bosScore;
    for (let n = 0; n < NAMES; n++) {
      l2.W_Q[inProj(h, SINH + n, n)] = -2 * matchScore * s;
      l2.W_K[inProj(h, NAME + n, n)] = 1;
      l2.W_V[inProj(h, NAME + n, HPOS + n)] = 1;
      l2.W_O[outProj(h, HPOS + n, OUT + n)] = sign;
    }
  }

  // L3H0 copy suppression: query OUT · key NAME at 30 per unit, BOS 37.5; value −½ NAME → OUT.
  l3.W_Q[inProj(0, CONST, FLAG)] = s;
  l3.W_K[inProj(0, BOSD, FLAG)] = csBosScore;
  for (let n = 0; n < NAMES; n++) {
    l3.W_Q[inProj(0, OUT + n, n)] = matchScore * s;
    l3.W_K[inProj(0, NAME + n, n)] = 1;
    l3.W_V[inProj(0, NAME + n, HPOS + n)] = 1;
    l3.W_O[outProj(0, HPOS + n, OUT + n)] = -0.5;
  }

  const W_U = put('unembed.W_U', [D_MODEL, dVocab]);
  for (let t = 0; t < dVocab; t++) {
    const n = nameOf(t);
    if (n >= 0) W_U[(OUT + n) * dVocab + t] = unembed;
  }
  return {
    model: { cfg, weights, source: { path: 'lib/testing/planted-circuits.ts', format: 'planted', license: 'MIT' } },
    tokenizer,
  };
}

/**
 * A planted FACT MOVER (open problem 6.25): two layers × two heads, attention-only; only L1H0 has weights. Each fact's
 * last subject word ("Tower", "Colosseum", …) is embedded with its city (FACT one-hot) and a LAST flag; L1H0 attends
 * from every position to LAST tokens (else BOS) and copies FACT into OUT, which the unembedding reads as the city's
 * logit. On lib/circuits/tasks/factual.ts prompts it answers with the subject's city; nothing else moves the fact.
 */
export const PLANTED_FACT_MOVER = { layer: 1, head: 0 } as const;

export function buildPlantedFactModel(): PlantedCircuitModel {
  const split = (text: string) => text.match(/\s?[A-Za-z]+|\s?[^\sA-Za-z]/g) ?? [];
  const cities = [...new Set(FACTS.map(([, city]) => city))];
  const words = new Set<string>();
  for (const [subject] of FACTS) for (const w of split(subject)) words.add(w.trim());
  for (const w of split('is located in the city of')) words.add(w.trim());
  const pieces = ['<s>', '</s>', ...cities.flatMap((c) => [` ${c}`, c])];
  for (const w of words) if (!pieces.includes(w)) pieces.push(w, ` ${w}`);
  const ids = new Map(pieces.map((p, i) => [p, i]));
  const tokenizer: Tokenizer = {
    vocabSize: pieces.length,
    bosId: 0,
    eosId: 1,
    specialIds: new Set([0, 1]),
    encode(text, opts) {
      const out = split(text).map((w) => {
        const id = ids.get(w);
        if (id === undefined) throw new Error(`planted fact tokenizer: unknown word ${JSON.stringify(w)}`);
        return id;
      });
      return opts?.bos ? [0, ...out] : out;
    },
    decode: (list) =>
      list
        .filter((i) => i > 1)
        .map((i) => pieces[i])
        .join(''),
    piece: (id) => pieces[id] ?? `<${id}>`,
  };
  const C = cities.length;
  const [FACT, LAST, CONST_, BOS_, OUT_] = [0, C, C + 1, C + 2, C + 3];
  const D = OUT_ + C;
  const dh = C + 1;
  const nCtx = 32;
  const dVocab = pieces.length;
  const cfg = plantedAttentionOnlyConfig('planted-fact-mover', 2, 2, D, dh, dVocab, nCtx, 1);
  const weights: WeightMap = new Map();
  const put = weightWriter(weights);
  const W_E = put('embed.W_E', [dVocab, D]);
  W_E[0 * D + BOS_] = 1;
  for (const [subject, city] of FACTS) {
    const last = split(subject).at(-1)!.trim();
    for (const form of [last, ` ${last}`]) {
      const t = ids.get(form)!;
      W_E[t * D + FACT + cities.indexOf(city)] = 1;
      W_E[t * D + LAST] = 1;
    }
  }
  const W_pos = put('pos_embed.W_pos', [nCtx, D]);
  for (let p = 0; p < nCtx; p++) W_pos[p * D + CONST_] = 1;
  const s = Math.sqrt(dh);
  for (let l = 0; l < 2; l++) {
    const W_Q = put(`blocks.${l}.attn.W_Q`, [2, D, dh]);
    const W_K = put(`blocks.${l}.attn.W_K`, [2, D, dh]);
    const W_V = put(`blocks.${l}.attn.W_V`, [2, D, dh]);
    const W_O = put(`blocks.${l}.attn.W_O`, [2, dh, D]);
    if (l !== PLANTED_FACT_MOVER.layer) continue;
    const h = PLANTED_FACT_MOVER.head;
    W_Q[(h * D + CONST_) * dh + C] = s;
    W_K[(h * D + LAST) * dh + C] = PLANTED_CIRCUIT.matchScore;
    W_K[(h * D + BOS_) * dh + C] = PLANTED_CIRCUIT.bosScore;
    for (let c = 0; c < C; c++) {
      W_V[(h * D + FACT + c) * dh + c] = 1;
      W_O[(h * dh + c) * D + OUT_ + c] = 1;
    }
  }
  const W_U = put('unembed.W_U', [D, dVocab]);
  cities.forEach((city, c) => {
    for (const form of [city, ` ${city}`]) W_U[(OUT_ + c) * dVocab + ids.get(form)!] = PLANTED_CIRCUIT.unembed;
  });
  return { model: { cfg, weights, source: { path: 'lib/testing/planted-circuits.ts', format: 'planted', license: 'MIT' } }, tokenizer };
}
