import type { HeadMetric } from './types';
import { NATURAL_TEXT_INPUT, NEURONPEDIA_CITATION, naturalTextStats } from './natural-text-stats';

export const attentionDistanceMeanMetric: HeadMetric = {
  id: 'attention_distance_mean',
  title: 'Attention distance (mean)',
  summary: 'How far back the head looks on natural text: mean of |q − k| under its attention.',
  definition:
    NATURAL_TEXT_INPUT + ' Score: mean of Σ_k A[q, k] · (q − k), in tokens (a previous-token head scores 1, a self-attending head 0).',
  citation: NEURONPEDIA_CITATION,
  range: [0, 127],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await naturalTextStats(ctx)).distanceMean,
};
