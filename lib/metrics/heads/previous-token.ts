import type { HeadMetric } from './types';
import { detectHeadsOnTexts, TL_DETECT_HEAD_DEFAULTS } from './detect-head';

/** Previous-token heads: position i attends to i − 1 (TransformerLens head detector, "previous_token_head"). */
export const previousTokenMetric: HeadMetric = {
  id: 'previous_token',
  title: 'Previous token',
  summary: "Share of the head's attention on natural text that goes to the token just before the current one.",
  definition:
    'TransformerLens detect_head(model, texts, "previous_token_head") with its defaults: error_measure mul, exclude_bos false, ' +
    "exclude_current_token false. Each of the run's texts is tokenized with BOS prepended and cut to its first " +
    'min(128, n_ctx − 1) tokens; a text must keep 1 < seq_len < n_ctx. Detection pattern D[i, i − 1] = 1. Per text: ' +
    "Σ(A ⊙ D) / Σ A, with A the head's attention pattern; the metric is the mean over texts. Position 0 has no previous " +
    'token, so a perfect head scores (seq_len − 1) / seq_len per text.',
  citation: {
    text: 'Nanda et al., TransformerLens head detector, detect_head "previous_token_head" (transformer_lens/head_detector.py)',
    url: 'https://github.com/TransformerLensOrg/TransformerLens/blob/main/transformer_lens/head_detector.py',
  },
  range: [0, 1],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => (await detectHeadsOnTexts(ctx, TL_DETECT_HEAD_DEFAULTS)).previous_token_head,
};
