import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from '../models/types';
import type { Tokenizer } from '../tokenizers/types';
import { randomModel } from '../engine/random-model';
import { makeRng } from '../sampling/random';

/**
 * Fixtures of the model-diff tests (lib/diff): small tokenizers over printable ASCII, small random models, and
 * the planted edits whose effect a diff must find (one head's output removed, one neuron's output scaled, noise
 * everywhere, one head's attention changed). Edits copy the model; the input is left as it was.
 */

/** One token per printable ASCII character (ids 2..96), BOS 0, EOS 1; `bigrams` add one token each (ids 97…), matched greedily. */
export function asciiTokenizer(opts: { bigrams?: string[]; collapseSpaces?: boolean } = {}): Tokenizer {
  const bigrams = opts.bigrams ?? [];
  const vocabSize = 97 + bigrams.length;
  const bigramId = new Map(bigrams.map((b, i) => [b, 97 + i]));
  const piece = (id: number): string => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new Error(`ascii tokenizer: id ${id} is not in 0..${vocabSize - 1}`);
    if (id === 0) return '<s>';
    if (id === 1) return '</s>';
    return id < 97 ? String.fromCharCode(30 + id) : bigrams[id - 97];
  };
  return {
    vocabSize,
    bosId: 0,
    eosId: 1,
    specialIds: new Set([0, 1]),
    encode(text, o) {
      if (opts.collapseSpaces) text = text.replace(/ {2,}/g, ' ');
      const ids: number[] = o?.bos ? [0] : [];
      for (let i = 0; i < text.length;) {
        const pair = bigramId.get(text.slice(i, i + 2));
        if (pair !== undefined) {
          ids.push(pair);
          i += 2;
          continue;
        }
        const code = text.charCodeAt(i);
        if (code < 32 || code > 126) throw new Error(`ascii tokenizer: character ${JSON.stringify(text[i])} is not printable ASCII`);
        ids.push(code - 30);
        i++;
      }
      return ids;
    },
    decode: (ids) =>
      ids
        .filter((id) => id > 1)
        .map(piece)
        .join(''),
    piece,
  };
}

/** A small random GPT-2-like model (LayerNorm, GELU) over a tokenizer's vocabulary. */
export function smallRandomModel(dVocab: number, seed = 1, overrides: Partial<ModelConfig> = {}): CanonicalModel {
  return randomModel(
    {
      model_name: `diff-test-${seed}`,
      n_layers: 2,
      d_model: 32,
      n_heads: 4,
      d_head: 8,
      n_key_value_heads: 4,
      d_mlp: 48,
      d_vocab: dVocab,
      n_ctx: 64,
      bos_token_id: 0,
      eos_token_id: 1,
      ...overrides,
    },
    { seed },
  );
}

/** A deep copy (every tensor its own array). */
export function copyModel(model: CanonicalModel): CanonicalModel {
  const weights: WeightMap = new Map(
    [...model.weights].map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() } satisfies Tensor]),
  );
  return { ...model, cfg: { ...model.cfg }, weights, source: { ...model.source } };
}

function edit(model: CanonicalModel, name: string, f: (t: Tensor) => void): CanonicalModel {
  const out = copyModel(model);
  const t = out.weights.get(name);
  if (!t) throw new Error(`planted edit: ${model.cfg.model_name} has no ${name}`);
  f(t);
  return out;
}

/** Head (layer, head) writes nothing: its rows of W_O are zero. */
export function removeHeadOutput(model: CanonicalModel, layer: number, head: number): CanonicalModel {
  return edit(model, `blocks.${layer}.attn.W_O`, (t) => {
    const size = t.shape[1] * t.shape[2];
    t.data.fill(0, head * size, (head + 1) * size);
  });
}

/** Neuron n of a layer writes `factor` times as much: its row of W_out is scaled. */
export function scaleNeuronOutput(model: CanonicalModel, layer: number, neuron: number, factor: number): CanonicalModel {
  return edit(model, `blocks.${layer}.mlp.W_out`, (t) => {
    const d = t.shape[1];
    for (let i = neuron * d; i < (neuron + 1) * d; i++) t.data[i] *= factor;
  });
}

/** The head's queries are replaced by others (seeded): it attends elsewhere, its values and output weights unchanged. */
export function changeHeadAttention(model: CanonicalModel, layer: number, head: number, seed = 7): CanonicalModel {
  const rng = makeRng(seed);
  return edit(model, `blocks.${layer}.attn.W_Q`, (t) => {
    const size = t.shape[1] * t.shape[2];
    let norm = 0;
    for (let i = head * size; i < (head + 1) * size; i++) norm += t.data[i] ** 2;
    const scale = (3 * Math.sqrt(norm / size)) / 0.577;
    for (let i = head * size; i < (head + 1) * size; i++) t.data[i] = (2 * rng.next() - 1) * scale;
  });
}

/** Every weight gets uniform noise of relative size `level` (per tensor: level × the tensor's RMS). */
export function addNoise(model: CanonicalModel, level: number, seed = 3): CanonicalModel {
  const out = copyModel(model);
  const rng = makeRng(seed);
  for (const t of out.weights.values()) {
    let ss = 0;
    for (const x of t.data) ss += x * x;
    const amplitude = level * Math.sqrt(ss / t.data.length) * Math.sqrt(3);
    for (let i = 0; i < t.data.length; i++) t.data[i] += (2 * rng.next() - 1) * amplitude;
  }
  return out;
}
