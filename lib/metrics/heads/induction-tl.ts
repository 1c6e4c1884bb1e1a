import type { HeadMetric } from './types';
import { repeatedTokenScores } from './induction';

/**
 * The induction score as TransformerLens' demos compute it, `pattern.diagonal(1 − n)` averaged: kept
 * for comparability with notebooks. It shares the exact metric's input and forward pass (see induction.ts).
 */
export const inductionTlMetric: HeadMetric = {
  id: 'induction_tl',
  title: 'Induction (TransformerLens demo)',
  summary:
    'The induction score as TransformerLens notebooks compute it: mean attention along the diagonal offset 1 − n on repeated random tokens.',
  definition:
    'Same input as induction (10 × [BOS] + r + r, n = 50, seeded). Score: the mean over sequences of A.diagonal(1 − n), ' +
    'i.e. of A[i, i + 1 − n] for i ∈ [n − 1, 2n], as in the TransformerLens demos. Of its n + 2 entries, A[n − 1, 0] and ' +
    'A[n, 1] are not induction (a perfect induction head scores n / (n + 2) ≈ 0.96 plus what it puts there).',
  citation: {
    text: 'TransformerLens, Exploratory Analysis Demo (induction score on repeated random tokens); Olsson et al. 2022',
    url: 'https://github.com/TransformerLensOrg/TransformerLens/blob/main/demos/Exploratory_Analysis_Demo.ipynb',
  },
  range: [0, 1],
  version: 1,
  needs: 'random-tokens',
  compute: async (ctx) => (await repeatedTokenScores(ctx)).inductionTl,
};
