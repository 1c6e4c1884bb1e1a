import type { HeadMetric } from './types';
import { NATURAL_TEXT_INPUT, naturalTextStats } from './natural-text-stats';

export const inductionNaturalMetric: HeadMetric = {
  id: 'induction_natural',
  title: 'Induction (natural text)',
  summary: 'Attention from a repeated token to the tokens that followed its earlier occurrences, on natural text.',
  definition:
    NATURAL_TEXT_INPUT +
    ' Score: Σ over queries q of Σ_{1 ≤ j ≤ q, tok[j − 1] = tok[q], A[q, j] ≥ 0.01} A[q, j], divided by the number of queries whose token occurred earlier (pooled over texts; 0 when no token repeats).',
  citation: {
    text: 'Olsson et al. 2022, "In-context Learning and Induction Heads" (induction heads on natural text); Neuronpedia head pages (threshold 0.01)',
    url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html',
  },
  range: [0, 1],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await naturalTextStats(ctx)).induction,
};
