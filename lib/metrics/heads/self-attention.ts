import type { HeadMetric } from './types';
import { NATURAL_TEXT_INPUT, NEURONPEDIA_CITATION, naturalTextStats } from './natural-text-stats';

export const selfAttentionMetric: HeadMetric = {
  id: 'self_attention',
  title: 'Self-attention',
  summary: 'Mean attention a token pays to itself on natural text.',
  definition: NATURAL_TEXT_INPUT + ' Score: mean of A[q, q].',
  citation: NEURONPEDIA_CITATION,
  range: [0, 1],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await naturalTextStats(ctx)).selfAttention,
};
