import type { ModelConfig, WeightMap } from '../../models/types';
import { normCentres } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';
import type { HeadMetric } from './types';
import { detectorTokens } from './detect-head';

/**
 * Direct logit attribution (Elhage et al. 2021; Nanda's TransformerLens demos): a head's output at a
 * position, through the final norm linearised at that position (divided by its scale, as
 * `cache.apply_ln_to_stack` does), onto the unembedding of the correct next token.
 */
export async function directLogitAttribution(
  runner: ForwardRunner,
  cfg: ModelConfig,
  weights: WeightMap,
  sequences: readonly number[][],
): Promise<number[][]> {
  const { n_layers: nLayers, n_heads: nHeads, d_model: d } = cfg;
  const WU = weights.get('unembed.W_U');
  if (!WU) throw new Error(`${cfg.model_name}: direct logit attribution needs unembed.W_U`);
  const uCols = WU.shape[1];
  const wFinal = weights.get('ln_final.w')?.data;
  const hasNorm = cfg.normalization_type !== null;
  const resultHooks = Array.from({ length: nLayers }, (_, l) => `blocks.${l}.attn.hook_result`);
  const hooks = hasNorm ? [...resultHooks, 'ln_final.hook_scale'] : resultHooks;
  const sums = new Float64Array(nLayers * nHeads);
  let positions = 0;
  const column = new Float64Array(d);
  for (const tokens of sequences) {
    const seq = tokens.length;
    if (seq < 2) continue;
    const cache = await runner.run([tokens], hooks);
    const scale = hasNorm ? cache.get('ln_final.hook_scale')!.data : null;
    for (let p = 0; p + 1 < seq; p++) {
      const target = tokens[p + 1];
      // The column of W_U for the target, with the final norm's weight and 1/scale folded in.
      for (let i = 0; i < d; i++) column[i] = (WU.data[i * uCols + target] * (wFinal ? wFinal[i] : 1)) / (scale ? scale[p] : 1);
      // LayerNorm centres its input: the centred column gives (x − mean x) · column.
      if (normCentres(cfg)) {
        const mean = column.reduce((a, b) => a + b, 0) / d;
        for (let i = 0; i < d; i++) column[i] -= mean;
      }
      positions++;
      for (let l = 0; l < nLayers; l++) {
        const result = cache.get(resultHooks[l])!.data;
        for (let h = 0; h < nHeads; h++) {
          const offset = (p * nHeads + h) * d;
          let s = 0;
          for (let i = 0; i < d; i++) s += result[offset + i] * column[i];
          sums[l * nHeads + h] += s;
        }
      }
    }
  }
  return Array.from({ length: nLayers }, (_, l) =>
    Array.from({ length: nHeads }, (_, h) => (positions === 0 ? 0 : sums[l * nHeads + h] / positions)),
  );
}

export const directLogitAttributionMetric: HeadMetric = {
  id: 'direct_logit_attribution',
  title: 'Direct logit attribution',
  summary: "The head's mean direct contribution to the correct next token's logit on natural text (through the final norm, linearised).",
  definition:
    "Input: the run's natural texts (BOS prepended, ≤ min(128, n_ctx − 1) tokens). For every position p but the last: " +
    "blocks.L.attn.hook_result[p, H] (the head's output, z · W_O), centred if the final norm is a LayerNorm, divided by " +
    'ln_final.hook_scale[p] and multiplied by ln_final.w (the norm linearised at that position), dotted with W_U[:, tok[p + 1]]. ' +
    'Score: the mean over all positions of all texts, in logits. Positive: the head directly helps predict the next token. ' +
    'Unbounded; the range shown is nominal.',
  citation: {
    text: 'Elhage et al. 2021, "A Mathematical Framework for Transformer Circuits" (direct path / logit attribution); TransformerLens apply_ln_to_stack',
    url: 'https://transformer-circuits.pub/2021/framework/index.html',
  },
  range: [-5, 5],
  version: 1,
  needs: 'texts',
  compute: async (ctx) => directLogitAttribution(ctx.runner, ctx.cfg, ctx.weights, detectorTokens(ctx.tokenizer, ctx.texts, ctx.cfg.n_ctx)),
};
