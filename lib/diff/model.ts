import type { CanonicalModel } from '../models/types';
import { NO_PROCESSING, TRANSFORMER_LENS_DEFAULTS, processWeights, type WeightProcessingOptions } from '../models/process-weights';
import type { Tokenizer } from '../tokenizers/types';
import type { ForwardRunner } from '../engine/types';
import { OnnxRunner } from '../engine/onnx-runner';
import type { DiffModel, DiffModelInfo, DiffOptions } from './types';

/** Defaults of the corpus passes (lib/diff/types.ts DiffOptions documents each). */
export const DEFAULT_DIFF_OPTIONS: DiffOptions = {
  contextLength: 128,
  batchSize: 8,
  topK: 20,
  contextChars: 160,
  segmentsBefore: 12,
  segmentsAfter: 4,
  maxDocumentChars: 20000,
};

/** Allowed ranges: bounded so that a request cannot make a result (top lists, contexts) or a batch unbounded. */
const OPTION_RANGES: Record<keyof DiffOptions, [number, number]> = {
  contextLength: [2, 1 << 20],
  batchSize: [1, 1024],
  topK: [0, 1000],
  contextChars: [0, 10000],
  segmentsBefore: [0, 1000],
  segmentsAfter: [0, 1000],
  maxDocumentChars: [1, 10_000_000],
};

/** Fills defaults and rejects values a pass could not honour (bad input gets a clear error, not a hang). */
export function resolveDiffOptions(opts: Partial<DiffOptions> = {}): DiffOptions {
  const o = { ...DEFAULT_DIFF_OPTIONS, ...opts };
  for (const [k, [min, max]] of Object.entries(OPTION_RANGES) as Array<[keyof DiffOptions, [number, number]]>) {
    if (!Number.isInteger(o[k]) || o[k] < min || o[k] > max)
      throw new Error(`diff option ${k} must be an integer in ${min}..${max}, got ${o[k]}`);
  }
  return o;
}

/**
 * One side of a diff: the model with weight processing applied (TransformerLens' defaults unless `none`; the white box
 * requires both sides processed the same way) and a runner (an OnnxRunner unless one is given, e.g. a ReferenceRunner).
 */
export async function prepareDiffModel(
  slug: string,
  model: CanonicalModel,
  tokenizer: Tokenizer,
  opts: {
    weightProcessing?: 'tl' | 'none' | Partial<WeightProcessingOptions>;
    runner?: (model: CanonicalModel) => ForwardRunner;
    inPlace?: boolean;
  } = {},
): Promise<DiffModel> {
  const request = opts.weightProcessing ?? 'tl';
  const flags = request === 'tl' ? TRANSFORMER_LENS_DEFAULTS : request === 'none' ? NO_PROCESSING : { ...NO_PROCESSING, ...request };
  const { model: processed, applied } = processWeights(model, flags, { inPlace: opts.inPlace ?? false });
  const runner = opts.runner ? opts.runner(processed) : await OnnxRunner.create(processed);
  return { slug, model: processed, tokenizer, runner, weightProcessing: applied };
}

export function diffModelInfo(m: DiffModel): DiffModelInfo {
  const c = m.model.cfg;
  return {
    slug: m.slug,
    architecture: c.original_architecture,
    nLayers: c.n_layers,
    nHeads: c.n_heads,
    dModel: c.d_model,
    dMlp: c.d_mlp,
    dVocab: c.d_vocab,
    nCtx: c.n_ctx,
    tokenizer: { vocabSize: m.tokenizer.vocabSize, bosId: m.tokenizer.bosId, eosId: m.tokenizer.eosId },
    weightProcessing: m.weightProcessing,
  };
}

/** Whether two tokenizers have the same vocabulary (size and every piece). */
export function sameVocabulary(a: Tokenizer, b: Tokenizer): boolean {
  if (a === b) return true;
  if (a.vocabSize !== b.vocabSize) return false;
  for (let i = 0; i < a.vocabSize; i++) if (a.piece(i) !== b.piece(i)) return false;
  return true;
}

/**
 * The white box compares hooks and weights slot by slot: the two models must have the same shapes, the same kind of
 * blocks, the same vocabulary and the same weight processing. Throws naming the first difference.
 */
export function assertSameArchitecture(a: DiffModel, b: DiffModel): void {
  const ca = a.model.cfg;
  const cb = b.model.cfg;
  const fields = [
    'n_layers',
    'd_model',
    'n_heads',
    'd_head',
    'n_key_value_heads',
    'd_mlp',
    'd_vocab',
    'attn_only',
    'normalization_type',
    'positional_embedding_type',
    'act_fn',
    'gated_mlp',
    'parallel_attn_mlp',
  ] as const;
  for (const f of fields) {
    if (ca[f] !== cb[f]) {
      throw new Error(
        `white-box diff needs the same architecture: ${a.slug} has ${f} = ${JSON.stringify(ca[f])}, ${b.slug} has ${JSON.stringify(cb[f])} ` +
          '(the black-box diff compares any two models)',
      );
    }
  }
  const wa = JSON.stringify({ ...a.weightProcessing, skipped: undefined });
  const wb = JSON.stringify({ ...b.weightProcessing, skipped: undefined });
  if (wa !== wb) throw new Error(`white-box diff needs the same weight processing on both models: ${a.slug} ${wa}, ${b.slug} ${wb}`);
  if (!sameVocabulary(a.tokenizer, b.tokenizer)) {
    throw new Error(`white-box diff needs the same tokenizer: ${a.slug} and ${b.slug} have different vocabularies`);
  }
}
