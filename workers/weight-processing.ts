import type { CanonicalModel } from '@/lib/models/types';
import { countCheckpointParams } from './model-info';
import {
  NO_PROCESSING,
  TRANSFORMER_LENS_DEFAULTS,
  processWeights,
  type AppliedWeightProcessing,
  type WeightProcessingOptions,
} from '@/lib/models/process-weights';

/**
 * Weight processing for a run: the model a run computes on is the processed one (TransformerLens' defaults unless
 * asked otherwise), and what was actually applied goes into the run's options as `weightProcessing`, e.g.
 * `{ fold_ln: true, center_writing_weights: false, center_unembed: true, fold_value_biases: true,
 *    skipped: { center_writing_weights: 'only valid with LayerNorm …' } }`. Weight-based metrics (composition,
 * copying, direct logit attribution) depend on it; pattern-based ones do not.
 */

/** `tl` (TransformerLens' defaults), `none`, or explicit flags. */
export type WeightProcessingRequest = 'tl' | 'none' | Partial<WeightProcessingOptions>;

export function parseWeightProcessingRequest(value: string | undefined): WeightProcessingRequest {
  const v = (value ?? 'tl').trim().toLowerCase();
  if (v === 'tl' || v === 'none') return v;
  throw new Error(`--weight-processing must be "tl" (TransformerLens' defaults) or "none", got ${JSON.stringify(value)}`);
}

/**
 * The processed model and the record to store in the run's options under `weightProcessing`. `inPlace`: the loaded
 * model is rewritten rather than copied (callers that drop it: one copy of the weights however big the model).
 */
export function prepareModelForRun(
  model: CanonicalModel,
  request: WeightProcessingRequest = 'tl',
  opts: { inPlace?: boolean } = {},
): { model: CanonicalModel; weightProcessing: AppliedWeightProcessing } {
  const flags = request === 'tl' ? TRANSFORMER_LENS_DEFAULTS : request === 'none' ? NO_PROCESSING : request;
  // The parameter count pages show is the checkpoint's, not the processed tensors' (centring W_U unties it from W_E);
  // counted first, since in-place processing rewrites the tensors it compares.
  const checkpointParams = model.checkpointParams ?? countCheckpointParams(model);
  const { model: processed, applied } = processWeights(model, { ...NO_PROCESSING, ...flags }, opts);
  return { model: { ...processed, checkpointParams }, weightProcessing: applied };
}
