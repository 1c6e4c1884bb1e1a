import type { ModelConfig } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';
import type { Tokenizer } from '../../tokenizers/types';
import { DETECTION_PATTERN_NAMES, detectionPatterns, type DetectionPatternName } from './detection-patterns';

/**
 * TransformerLens' `detect_head` (transformer_lens/head_detector.py), reproduced exactly for one
 * sequence, with one deliberate fix for several sequences: TransformerLens silently drops
 * `exclude_bos`, `exclude_current_token` and `error_measure` when given a list of texts; here the
 * score of several sequences is the mean of the per-sequence scores *with* the options honoured.
 */

export type ErrorMeasure = 'mul' | 'abs';

export interface DetectHeadOptions {
  errorMeasure: ErrorMeasure;
  /** Zero column 0 (attention to BOS) before scoring. */
  excludeBos: boolean;
  /** Zero the diagonal (attention to the current token) before scoring. */
  excludeCurrentToken: boolean;
}

/** TransformerLens' defaults. */
export const TL_DETECT_HEAD_DEFAULTS: DetectHeadOptions = {
  errorMeasure: 'mul',
  excludeBos: false,
  excludeCurrentToken: false,
};

/** Natural texts are cut to this many tokens (BOS included) so that cost and memory stay bounded. */
export const DETECTOR_MAX_TOKENS = 128;

/**
 * Python's `round(x, digits)`: nearest decimal of the float's exact binary value, exact ties to even.
 * (`Math.round(x * 1000) / 1000` differs: the product rounds, and halves go up.)
 */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new Error(`pythonRound: digits must be an integer in 0..20; got ${digits}`);
  }
  if (!Number.isFinite(x)) return x;
  // toFixed works from the exact binary value (up to 100 digits), so it tells exact ties apart.
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (/^50*$/.test(tail)) {
    const scale = 10 ** digits;
    const kept = Number(exact.slice(0, dot) + exact.slice(dot + 1, dot + 1 + digits)); // |x| · 10^digits, truncated
    const even = kept % 2 === 0 ? kept : kept + 1;
    return (Math.sign(x) * even) / scale;
  }
  return Number(x.toFixed(digits));
}

/**
 * One head's score on one sequence (TransformerLens `compute_head_attention_similarity_score`).
 * `attention` and `detection` are seq×seq row-major; attention rows are the causal pattern of the head.
 *  - `mul`: `Σ(A' ⊙ D) / Σ A'`, A' = A with the excluded entries zeroed. When nothing is left
 *    (Σ A' = 0, e.g. all attention on excluded entries) the score is 0, not TransformerLens' NaN.
 *  - `abs`: `1 − round(Σ E / seq, 3)`, E = |A − D| with the excluded entries zeroed.
 */
export function headSimilarityScore(
  attention: ArrayLike<number>,
  detection: ArrayLike<number>,
  seqLen: number,
  options: DetectHeadOptions,
): number {
  const n = seqLen * seqLen;
  if (attention.length !== n) {
    throw new Error(`attention pattern has ${attention.length} entries; expected seq_len² = ${n} (seq_len ${seqLen})`);
  }
  if (detection.length !== n) {
    throw new Error(`detection pattern has ${detection.length} entries; expected seq_len² = ${n} (seq_len ${seqLen})`);
  }
  const kept = (q: number, k: number) => !(options.excludeBos && k === 0) && !(options.excludeCurrentToken && q === k);

  if (options.errorMeasure === 'mul') {
    let matched = 0;
    let total = 0;
    for (let q = 0; q < seqLen; q++) {
      for (let k = 0; k < seqLen; k++) {
        if (!kept(q, k)) continue;
        const a = attention[q * seqLen + k];
        total += a;
        matched += a * detection[q * seqLen + k];
      }
    }
    return total === 0 ? 0 : matched / total;
  }

  if (options.errorMeasure === 'abs') {
    let error = 0;
    for (let q = 0; q < seqLen; q++) {
      for (let k = 0; k < seqLen; k++) {
        const e = Math.abs(attention[q * seqLen + k] - detection[q * seqLen + k]);
        // TransformerLens asserts this: both patterns must be lower triangular (causal).
        if (k > q && e !== 0) {
          throw new Error(`abs error measure needs lower-triangular patterns; |A − D| is ${e} at (q ${q}, k ${k})`);
        }
        if (kept(q, k)) error += e;
      }
    }
    return 1 - pythonRound(error / seqLen, 3);
  }

  throw new Error(`unknown error measure "${String(options.errorMeasure)}"; expected "mul" or "abs"`);
}

/** Flat indices (q · seq + k) of a 0/1 detection pattern's ones. */
function onesOf(detection: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < detection.length; i++) count += detection[i];
  const ones = new Int32Array(count);
  for (let i = 0, j = 0; i < detection.length; i++) if (detection[i]) ones[j++] = i;
  return ones;
}

/**
 * `mul` scores of one head against several 0/1 detection patterns at once — the same numbers as
 * headSimilarityScore, but Σ A' is summed once and Σ(A' ⊙ D) only over D's ones (detection
 * patterns are sparse), which matters when scoring every head of a model on hundreds of texts.
 */
function mulScores(attention: Float32Array, seqLen: number, detectionOnes: Int32Array[], options: DetectHeadOptions): number[] {
  const firstKey = options.excludeBos ? 1 : 0;
  let total = 0;
  for (let q = 0; q < seqLen; q++) {
    const row = q * seqLen;
    if (options.excludeCurrentToken) {
      for (let k = firstKey; k < q; k++) total += attention[row + k];
      for (let k = Math.max(firstKey, q + 1); k < seqLen; k++) total += attention[row + k];
    } else {
      for (let k = firstKey; k < seqLen; k++) total += attention[row + k];
    }
  }
  return detectionOnes.map((ones) => {
    let matched = 0;
    for (let i = 0; i < ones.length; i++) {
      const index = ones[i];
      const q = Math.floor(index / seqLen);
      const k = index - q * seqLen;
      if ((options.excludeBos && k === 0) || (options.excludeCurrentToken && q === k)) continue;
      matched += attention[index];
    }
    return total === 0 ? 0 : matched / total;
  });
}

/**
 * Tokenizes texts for the detectors: BOS prepended, cut to `min(maxTokens, n_ctx − 1)` tokens,
 * and each must then satisfy TransformerLens' `1 < seq_len < n_ctx`.
 */
export function detectorTokens(tokenizer: Tokenizer, texts: readonly string[], nCtx: number, maxTokens = DETECTOR_MAX_TOKENS): number[][] {
  if (texts.length === 0) throw new Error('pattern detectors need at least one text; got none');
  const limit = Math.min(maxTokens, nCtx - 1);
  return texts.map((text, i) => {
    const ids = tokenizer.encode(text, { bos: true }).slice(0, limit);
    if (ids[0] !== tokenizer.bosId) {
      throw new Error(`text ${i}: tokenizer did not prepend BOS (id ${tokenizer.bosId}); pattern detectors need it`);
    }
    assertDetectorSeqLen(ids.length, nCtx, `text ${i} (${JSON.stringify(text.slice(0, 40))})`);
    return ids;
  });
}

/** TransformerLens' check: the sequence must be non-empty beyond BOS and fit the context window. */
export function assertDetectorSeqLen(seqLen: number, nCtx: number, what: string): void {
  if (!(1 < seqLen && seqLen < nCtx)) {
    throw new Error(
      `${what} is ${seqLen} tokens with BOS; pattern detectors need 1 < seq_len < n_ctx (${nCtx}): ` +
        `the text must have at least one token and fit the context window`,
    );
  }
}

/** Per detection pattern, one score per head: scores[name][layer][head]. */
export type DetectionScores = Record<DetectionPatternName, number[][]>;

/** Attention-pattern floats fetched per forward call; bounds memory whatever the model. */
const PATTERN_FLOATS_PER_BATCH = 1 << 24;

/**
 * Runs the model over token sequences and scores every head against every TransformerLens detection
 * pattern: the mean over sequences of the per-sequence score. Sequences of equal length share a
 * forward call (the runner takes equal-length batches); patterns are scored and dropped batch by batch.
 */
export async function detectHeads(
  runner: ForwardRunner,
  cfg: ModelConfig,
  sequences: readonly number[][],
  options: DetectHeadOptions = TL_DETECT_HEAD_DEFAULTS,
): Promise<DetectionScores> {
  if (sequences.length === 0) throw new Error('detectHeads needs at least one token sequence; got none');
  sequences.forEach((s, i) => assertDetectorSeqLen(s.length, cfg.n_ctx, `sequence ${i}`));

  const { n_layers: nLayers, n_heads: nHeads } = cfg;
  const sums = Object.fromEntries(
    DETECTION_PATTERN_NAMES.map((name) => [name, Array.from({ length: nLayers }, () => new Float64Array(nHeads))]),
  ) as Record<DetectionPatternName, Float64Array[]>;
  const hooks = Array.from({ length: nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);

  const byLength = new Map<number, number[][]>();
  for (const s of sequences) {
    const group = byLength.get(s.length) ?? [];
    group.push(s);
    byLength.set(s.length, group);
  }

  for (const [seqLen, group] of byLength) {
    const perSequence = nLayers * nHeads * seqLen * seqLen;
    const batchSize = Math.max(1, Math.floor(PATTERN_FLOATS_PER_BATCH / perSequence));
    for (let start = 0; start < group.length; start += batchSize) {
      const batch = group.slice(start, start + batchSize);
      const cache = await runner.run(batch, hooks);
      const detections = batch.map((tokens) => DETECTION_PATTERN_NAMES.map((name) => detectionPatterns[name](tokens)));
      const ones = detections.map((perPattern) => perPattern.map(onesOf));
      for (let l = 0; l < nLayers; l++) {
        const pattern = cache.get(hooks[l]);
        const expected = [batch.length, nHeads, seqLen, seqLen];
        if (!pattern || pattern.shape.join() !== expected.join()) {
          throw new Error(
            `runner returned ${hooks[l]} with shape [${pattern?.shape.join(', ') ?? 'missing'}]; expected [${expected.join(', ')}]`,
          );
        }
        for (let b = 0; b < batch.length; b++) {
          for (let h = 0; h < nHeads; h++) {
            const offset = (b * nHeads + h) * seqLen * seqLen;
            const attention = pattern.data.subarray(offset, offset + seqLen * seqLen);
            if (options.errorMeasure === 'mul') {
              const scores = mulScores(attention, seqLen, ones[b], options);
              DETECTION_PATTERN_NAMES.forEach((name, p) => (sums[name][l][h] += scores[p]));
            } else {
              DETECTION_PATTERN_NAMES.forEach((name, p) => {
                sums[name][l][h] += headSimilarityScore(attention, detections[b][p], seqLen, options);
              });
            }
          }
        }
      }
    }
  }

  const mean = (rows: Float64Array[]) => rows.map((row) => Array.from(row, (v) => v / sequences.length));
  return Object.fromEntries(DETECTION_PATTERN_NAMES.map((name) => [name, mean(sums[name])])) as DetectionScores;
}

/**
 * The pattern detectors over a run's natural texts. All detectors share one forward pass: the result
 * is memoised per (runner, tokenizer, texts array, options), so running the whole registry costs one
 * pass over the texts, not one per detector. Weak maps: nothing outlives the runner or the texts.
 */
const textScoresMemo = new WeakMap<ForwardRunner, WeakMap<Tokenizer, WeakMap<readonly string[], Map<string, Promise<DetectionScores>>>>>();

export function detectHeadsOnTexts(
  ctx: { cfg: ModelConfig; runner: ForwardRunner; tokenizer: Tokenizer; texts: readonly string[] },
  options: DetectHeadOptions = TL_DETECT_HEAD_DEFAULTS,
): Promise<DetectionScores> {
  const byTokenizer = getOrCreate(textScoresMemo, ctx.runner, () => new WeakMap());
  const byTexts = getOrCreate(byTokenizer, ctx.tokenizer, () => new WeakMap());
  const byOptions = getOrCreate(byTexts, ctx.texts, () => new Map<string, Promise<DetectionScores>>());
  const key = `${ctx.cfg.n_ctx}:${options.errorMeasure}:${options.excludeBos}:${options.excludeCurrentToken}`;
  let scores = byOptions.get(key);
  if (!scores) {
    scores = (async () => detectHeads(ctx.runner, ctx.cfg, detectorTokens(ctx.tokenizer, ctx.texts, ctx.cfg.n_ctx), options))();
    // A failed pass is not remembered, so a retry recomputes.
    scores.catch(() => byOptions.delete(key));
    byOptions.set(key, scores);
  }
  return scores;
}

function getOrCreate<K extends object, V>(map: WeakMap<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
