import type { HeadMetric } from './types';
import { NATURAL_TEXT_INPUT, NEURONPEDIA_CITATION, naturalTextStats } from './natural-text-stats';

export const previousTokenNaturalMetric: HeadMetric = {
  id: 'previous_token_natural',
  title: 'Previous token (natural text)',
  summary: 'Mean attention a token pays to the token just before it on natural text.',
  definition:
    NATURAL_TEXT_INPUT +
    ' Score: mean of A[q, q − 1]. Unlike previous_token (TransformerLens detect_head), position 0 is left out rather than scored 0.',
  citation: NEURONPEDIA_CITATION,
  range: [0, 1],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await naturalTextStats(ctx)).previousToken,
};
