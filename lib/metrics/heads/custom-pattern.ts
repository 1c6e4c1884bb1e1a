import type { ModelConfig } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';
import type { Tokenizer } from '../../tokenizers/types';
import { detectorTokens, headSimilarityScore, TL_DETECT_HEAD_DEFAULTS, type DetectHeadOptions } from './detect-head';
import { duplicateTokenPattern, inductionPattern, previousTokenPattern } from './detection-patterns';

/**
 * A user-defined detection pattern, scored against every head as TransformerLens' `detect_head` does
 * with a custom pattern tensor. A pattern is a rule evaluated on each text's tokens, or an explicit
 * seq × seq matrix (then every text must tokenize, with BOS, to exactly seq tokens).
 *  - `previous` | `duplicate` | `induction`: TransformerLens' named patterns;
 *  - `bos`: D[i, 0] = 1 (attention sinks); `self`: D[i, i] = 1;
 *  - `offset:k` (k ≥ 1): D[i, i − k] = 1 for i ≥ k;
 *  - a JSON matrix `[[...], ...]` (or `{"matrix": [[...]]}`) of numbers, lower triangular.
 */
export type PatternSpec =
  | { kind: 'named'; name: 'previous' | 'duplicate' | 'induction' | 'bos' | 'self' }
  | { kind: 'offset'; offset: number }
  | { kind: 'matrix'; matrix: number[][] };

const NAMED = ['previous', 'duplicate', 'induction', 'bos', 'self'] as const;
export const PATTERN_SPEC_HELP = `a rule (${NAMED.join(', ')}, offset:k) or a JSON lower-triangular matrix [[1],[1,0],...]`;

export function parsePatternSpec(input: string): PatternSpec {
  const text = input.trim();
  if ((NAMED as readonly string[]).includes(text)) return { kind: 'named', name: text as (typeof NAMED)[number] };
  const offset = /^offset:(\d+)$/.exec(text);
  if (offset) {
    const k = Number(offset[1]);
    if (k < 1) throw new Error('pattern offset:k needs k ≥ 1 (offset:0 is "self")');
    return { kind: 'offset', offset: k };
  }
  if (text.startsWith('[') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('pattern: not valid JSON (expected a matrix like [[1,0],[1,0]] or {"matrix": [[...]]})');
    }
    const matrix = Array.isArray(parsed) ? parsed : (parsed as { matrix?: unknown })?.matrix;
    if (!Array.isArray(matrix) || matrix.length < 2) throw new Error('pattern: the matrix must be an array of at least 2 rows');
    const n = matrix.length;
    const rows = matrix.map((row, i) => {
      if (!Array.isArray(row)) throw new Error(`pattern: row ${i} is not an array`);
      // Rows may be given up to the diagonal only (the rest is 0): [[1], [1, 0], ...].
      if (row.length !== n && row.length !== i + 1)
        throw new Error(`pattern: row ${i} has ${row.length} entries; expected ${n} (or ${i + 1} up to the diagonal)`);
      return Array.from({ length: n }, (_, k) => {
        const v = k < row.length ? row[k] : 0;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`pattern: entry [${i}][${k}] is not a finite number`);
        if (k > i && v !== 0)
          throw new Error(`pattern: entry [${i}][${k}] is above the diagonal; a causal head cannot attend to later tokens`);
        return v;
      });
    });
    return { kind: 'matrix', matrix: rows };
  }
  throw new Error(`unknown pattern ${JSON.stringify(input.slice(0, 40))}: expected ${PATTERN_SPEC_HELP}`);
}

/** The detection pattern D (seq × seq, row-major) of a spec on one token sequence (BOS included). */
export function detectionFor(spec: PatternSpec, tokens: readonly number[]): ArrayLike<number> {
  const seq = tokens.length;
  if (spec.kind === 'matrix') {
    if (spec.matrix.length !== seq) {
      throw new Error(
        `pattern: the matrix is ${spec.matrix.length}×${spec.matrix.length} but the text is ${seq} tokens with BOS; they must match`,
      );
    }
    return Float64Array.from(spec.matrix.flat());
  }
  if (spec.kind === 'offset') {
    const d = new Uint8Array(seq * seq);
    for (let i = spec.offset; i < seq; i++) d[i * seq + i - spec.offset] = 1;
    return d;
  }
  switch (spec.name) {
    case 'previous':
      return previousTokenPattern(tokens);
    case 'duplicate':
      return duplicateTokenPattern(tokens);
    case 'induction':
      return inductionPattern(tokens);
    case 'bos': {
      const d = new Uint8Array(seq * seq);
      for (let i = 0; i < seq; i++) d[i * seq] = 1;
      return d;
    }
    case 'self': {
      const d = new Uint8Array(seq * seq);
      for (let i = 0; i < seq; i++) d[i * seq + i] = 1;
      return d;
    }
  }
}

/** Scores every head against the pattern: the mean over texts of TransformerLens' per-text score. result[layer][head]. */
export async function detectCustomPattern(input: {
  runner: ForwardRunner;
  cfg: ModelConfig;
  tokenizer: Tokenizer;
  texts: readonly string[];
  spec: PatternSpec;
  options?: DetectHeadOptions;
}): Promise<number[][]> {
  const { runner, cfg, spec } = input;
  const options = input.options ?? TL_DETECT_HEAD_DEFAULTS;
  const sequences = detectorTokens(input.tokenizer, input.texts, cfg.n_ctx);
  const sums = Array.from({ length: cfg.n_layers }, () => new Float64Array(cfg.n_heads));
  const hooks = Array.from({ length: cfg.n_layers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  for (const tokens of sequences) {
    const detection = detectionFor(spec, tokens);
    const seq = tokens.length;
    const cache = await runner.run([tokens], hooks);
    for (let l = 0; l < cfg.n_layers; l++) {
      const pattern = cache.get(hooks[l])!.data;
      for (let h = 0; h < cfg.n_heads; h++) {
        sums[l][h] += headSimilarityScore(pattern.subarray(h * seq * seq, (h + 1) * seq * seq), detection, seq, options);
      }
    }
  }
  return sums.map((row) => Array.from(row, (v) => v / sequences.length));
}
