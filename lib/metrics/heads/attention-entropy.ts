import type { HeadMetric } from './types';
import { NATURAL_TEXT_INPUT, NEURONPEDIA_CITATION, naturalTextStats } from './natural-text-stats';

export const attentionEntropyMetric: HeadMetric = {
  id: 'attention_entropy',
  title: 'Attention entropy',
  summary: 'How spread out the head’s attention is on natural text (nats; 0 = all on one token).',
  definition:
    NATURAL_TEXT_INPUT +
    ' Score: mean of −Σ_k A[q, k] ln A[q, k] (nats). Uniform attention over q + 1 tokens gives ln(q + 1); the range ends at ln 128.',
  citation: NEURONPEDIA_CITATION,
  range: [0, 4.852],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await naturalTextStats(ctx)).entropy,
};
