import type { HeadMetric } from './types';
import { detectHeadsOnTexts, TL_DETECT_HEAD_DEFAULTS } from './detect-head';

/** Duplicate-token heads: attend to earlier copies of the current token (TransformerLens "duplicate_token_head"). */
export const duplicateTokenMetric: HeadMetric = {
  id: 'duplicate_token',
  title: 'Duplicate token',
  summary: "Share of the head's attention on natural text that goes to earlier copies of the current token.",
  definition:
    'TransformerLens detect_head(model, texts, "duplicate_token_head") with its defaults: error_measure mul, exclude_bos false, ' +
    "exclude_current_token false. Each of the run's texts is tokenized with BOS prepended and cut to its first " +
    'min(128, n_ctx − 1) tokens; a text must keep 1 < seq_len < n_ctx. Detection pattern D[i, j] = 1 iff j < i and ' +
    "tok[j] = tok[i]. Per text: Σ(A ⊙ D) / Σ A, with A the head's attention pattern; the metric is the mean over texts. " +
    'Positions whose token has not occurred before still count in Σ A, so even a perfect head scores only the share of ' +
    'positions with an earlier copy.',
  citation: {
    text: 'Wang et al. 2022, "Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small" (duplicate token heads); scored with the TransformerLens head detector (Nanda et al.)',
    url: 'https://arxiv.org/abs/2211.00593',
  },
  range: [0, 1],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await detectHeadsOnTexts(ctx, TL_DETECT_HEAD_DEFAULTS)).duplicate_token_head,
};
