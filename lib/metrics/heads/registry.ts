import type { HeadMetric } from './types';
import { previousTokenMetric } from './previous-token';
import { duplicateTokenMetric } from './duplicate-token';
import { inductionMetric } from './induction';
import { inductionTlMetric } from './induction-tl';
import { prefixMatchingMetric } from './prefix-matching';
import { previousTokenNaturalMetric } from './previous-token-natural';
import { selfAttentionMetric } from './self-attention';
import { attentionEntropyMetric } from './attention-entropy';
import { attentionDistanceMeanMetric } from './attention-distance-mean';
import { attentionDistanceVarianceMetric } from './attention-distance-variance';
import { inductionNaturalMetric } from './induction-natural';
import { copyingOvMetric } from './copying-ov';
import { copyingFullMetric } from './copying-full';
import { successorMetric } from './successor';
import { directLogitAttributionMetric } from './direct-logit-attribution';

/**
 * Every head metric headwiki computes, in display order. The head table, heatmaps, API and docs are
 * generated from this list: adding a metric is adding its file and one line here.
 */
export const headMetrics: HeadMetric[] = [
  previousTokenMetric,
  duplicateTokenMetric,
  inductionMetric,
  inductionTlMetric,
  prefixMatchingMetric,
  previousTokenNaturalMetric,
  selfAttentionMetric,
  attentionEntropyMetric,
  attentionDistanceMeanMetric,
  attentionDistanceVarianceMetric,
  inductionNaturalMetric,
  copyingOvMetric,
  copyingFullMetric,
  successorMetric,
  directLogitAttributionMetric,
];

const byId = new Map(headMetrics.map((m) => [m.id, m]));
if (byId.size !== headMetrics.length) throw new Error('head metric registry: duplicate metric ids');
for (const m of headMetrics) {
  if (!/^[a-z][a-z0-9_]*$/.test(m.id)) throw new Error(`head metric registry: id "${m.id}" is not snake_case`);
}

/** The metric with this id, or undefined (for callers that turn an unknown id into a 404). */
export function findHeadMetric(id: string): HeadMetric | undefined {
  return byId.get(id);
}

/** The metric with this id; throws naming the known ids when there is none. */
export function getHeadMetric(id: string): HeadMetric {
  const metric = byId.get(id);
  if (!metric) throw new Error(`unknown head metric "${id}"; known: ${headMetrics.map((m) => m.id).join(', ')}`);
  return metric;
}
