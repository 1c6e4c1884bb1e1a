import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../models/registry';
import { OnnxRunner } from '../../engine/onnx-runner';
import { readDocuments } from '../../../workers/corpus-files';
import { repoPath, sharedDataPath, withoutSharedData } from '../../../scripts/testing/shared-data';
import type { HeadMetricContext } from './types';
import { previousTokenMetric } from './previous-token';
import { inductionMetric } from './induction';
import { inductionTlMetric } from './induction-tl';
import { directLogitAttributionMetric } from './direct-logit-attribution';
import { successorMetric } from './successor';
import { processWeights } from '../../models/process-weights';

/**
 * Regression values on real checkpoints (ONNX engine; the reference forward gives the same numbers to
 * 3 decimals). 20 TinyStories texts, seed 0.
 */
const top = (v: number[][], k: number) =>
  v
    .flatMap((row, layer) => row.map((value, head) => ({ head: `L${layer}H${head}`, value })))
    .sort((a, b) => b.value - a.value)
    .slice(0, k);

async function contextFor(nameOrPath: string): Promise<HeadMetricContext> {
  const { model, tokenizer } = await resolveModel(nameOrPath);
  return {
    cfg: model.cfg,
    weights: model.weights,
    runner: new OnnxRunner(model),
    tokenizer,
    texts: await readDocuments(repoPath('data/corpora/tinystories-sample.txt'), 20),
    seed: 0,
  };
}

describe('head metrics on real checkpoints', () => {
  it.skipIf(withoutSharedData('models/attn-only-2l'))(
    'attn-only-2l: L1H7 is the induction head (its README: 0.52), previous-token attention spread over layer 0',
    async () => {
      const ctx = await contextFor(sharedDataPath('models/attn-only-2l'));
      const induction = top(await inductionMetric.compute(ctx), 2);
      expect(induction[0].head).toBe('L1H7');
      expect(induction[0].value).toBeCloseTo(0.534, 3);
      expect(induction[1].value).toBeLessThan(0.04);
      const tl = top(await inductionTlMetric.compute(ctx), 1);
      expect(tl[0]).toMatchObject({ head: 'L1H7' });
      expect(tl[0].value).toBeCloseTo(0.524, 3);
      // README: L0H1 0.34, L0H7 0.34, L0H5 0.32, L0H3 0.27, L0H0 0.25 (measured on other texts).
      const prev = top(await previousTokenMetric.compute(ctx), 5);
      expect(prev.map((p) => p.head)).toEqual(['L0H1', 'L0H7', 'L0H5', 'L0H3', 'L0H0']);
      expect(prev[0].value).toBeCloseTo(0.345, 3);
    },
  );

  it('stories260K: previous-token heads in layers 1 and 3, no induction head', async () => {
    const ctx = await contextFor('stories260K');
    const prev = top(await previousTokenMetric.compute(ctx), 2);
    expect(prev.map((p) => p.head)).toEqual(['L1H3', 'L3H6']);
    expect(prev[0].value).toBeGreaterThan(0.6);
    const induction = top(await inductionMetric.compute(ctx), 1);
    expect(induction[0].value).toBeLessThan(0.02);
  });

  it.skipIf(withoutSharedData('models/gelu-2l')).each([false, true])(
    'gelu-2l: DLA and successor scores are unchanged by fold_ln (center_writing_weights %s): LNPre still centres',
    async (center) => {
      const raw = await contextFor(sharedDataPath('models/gelu-2l'));
      raw.texts = raw.texts.slice(0, 4);
      // The checkpoint's W_O is already centred; add a constant to every output component (invisible through the
      // LayerNorms that read the residual stream) so that only a metric that centres as LNPre does stays unchanged.
      for (let l = 0; l < raw.cfg.n_layers; l++) {
        const WO = raw.weights.get(`blocks.${l}.attn.W_O`)!;
        raw.weights.set(`blocks.${l}.attn.W_O`, { ...WO, data: WO.data.map((v) => v + 0.05) });
      }
      raw.runner = new OnnxRunner({ cfg: raw.cfg, weights: raw.weights, source: { path: 'gelu-2l', format: 'test' } });
      const { model, applied } = processWeights(
        { cfg: raw.cfg, weights: raw.weights, source: { path: 'gelu-2l', format: 'test' } },
        { fold_ln: true, center_writing_weights: center, center_unembed: false, fold_value_biases: false },
      );
      expect(model.cfg.normalization_type).toBe('LNPre');
      expect(applied.fold_ln).toBe(true);
      const processed: HeadMetricContext = { ...raw, cfg: model.cfg, weights: model.weights, runner: new OnnxRunner(model) };
      const [dlaRaw, dlaProcessed] = [
        await directLogitAttributionMetric.compute(raw),
        await directLogitAttributionMetric.compute(processed),
      ];
      const [succRaw, succProcessed] = [await successorMetric.compute(raw), await successorMetric.compute(processed)];
      const spread = Math.max(...dlaRaw.flat().map(Math.abs));
      expect(spread).toBeGreaterThan(0.05); // a real signal to compare, not zeros
      dlaRaw.flat().forEach((v, i) => expect(Math.abs(v - dlaProcessed.flat()[i])).toBeLessThan(1e-3 * spread + 1e-5));
      expect(succProcessed).toEqual(succRaw);
    },
  );
});
