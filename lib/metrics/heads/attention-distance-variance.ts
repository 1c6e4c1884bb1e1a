import type { HeadMetric } from './types';
import { NATURAL_TEXT_INPUT, NEURONPEDIA_CITATION, naturalTextStats } from './natural-text-stats';

export const attentionDistanceVarianceMetric: HeadMetric = {
  id: 'attention_distance_variance',
  title: 'Attention distance (variance)',
  summary: 'How varied the distances the head attends over are on natural text: variance of |q − k| under its attention.',
  definition:
    NATURAL_TEXT_INPUT +
    ' Score: mean of Σ_k A[q, k](q − k)² − (Σ_k A[q, k](q − k))², in tokens² (0 for a head that always attends at one fixed offset).',
  citation: NEURONPEDIA_CITATION,
  range: [0, 4032.25],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await naturalTextStats(ctx)).distanceVariance,
};
