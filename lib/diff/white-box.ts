import type {
  BlackBoxDiff,
  DiffModel,
  DiffOptions,
  HeadMetricDiff,
  PatchingDiff,
  WeightDiff,
  WhiteBoxDiff,
  WhiteBoxPartial,
} from './types';
import { activationRankings, computeWhiteBoxPartial, mergeWhiteBoxPartials } from './activation-diff';
import { dlaDiff } from './dla-diff';
import { computeWeightDiff } from './weight-diff';
import { computeHeadMetricDiff } from './head-metric-diff';
import { choosePatchingText, computePatchingDiff } from './patching';
import { assertSameArchitecture } from './model';

/** The white-box diff from its merged corpus partial and the corpus-independent parts. */
export function finalizeWhiteBox(
  partial: WhiteBoxPartial,
  extras: { weights: WeightDiff; headMetrics?: HeadMetricDiff | null; patching?: PatchingDiff | null },
): WhiteBoxDiff {
  const merged = mergeWhiteBoxPartials([partial]);
  const topK = merged.options.topK;
  return {
    kind: 'white-box',
    formatVersion: merged.formatVersion,
    a: merged.a,
    b: merged.b,
    options: merged.options,
    weights: extras.weights,
    positions: merged.positions,
    activations: activationRankings(merged, topK),
    dla: dlaDiff(merged, topK),
    headMetrics: extras.headMetrics ?? null,
    patching: extras.patching ?? null,
  };
}

export interface WhiteBoxRunOptions extends Partial<DiffOptions> {
  /** Head metrics to compare (ids; `false`: none). Default: DEFAULT_DIFF_HEAD_METRICS on the first 20 documents. */
  headMetrics?: string[] | false;
  /** The text to patch on; else the one a black-box diff found (`blackBox`), else no patching. */
  patchingText?: string;
  blackBox?: BlackBoxDiff;
}

/** Every white-box part in one process (a job runs computeWhiteBoxPartial per shard and finalizes once instead). */
export async function computeWhiteBoxDiff(
  a: DiffModel,
  b: DiffModel,
  corpus: string[],
  opts: WhiteBoxRunOptions = {},
): Promise<WhiteBoxDiff> {
  assertSameArchitecture(a, b);
  const { headMetrics, patchingText, blackBox, ...diffOptions } = opts;
  const weights = computeWeightDiff(a, b, { topK: diffOptions.topK });
  const partial = await computeWhiteBoxPartial(a, b, { firstDocument: 0, documents: corpus }, diffOptions);
  const metrics =
    headMetrics === false ? null : await computeHeadMetricDiff(a, b, corpus.slice(0, 20), { metrics: headMetrics, topK: diffOptions.topK });
  const text = patchingText ?? (blackBox ? choosePatchingText(blackBox)?.text : undefined);
  const patching = text ? await computePatchingDiff(a, b, text) : null;
  return finalizeWhiteBox(partial, { weights, headMetrics: metrics, patching });
}
