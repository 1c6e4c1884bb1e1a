import { describe, expect, it } from 'vitest';
import { loadLlama2c } from '@/lib/models/llama2c';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { repoPath } from '../scripts/testing/shared-data';
import { parseWeightProcessingRequest, prepareModelForRun } from './weight-processing';

describe('prepareModelForRun', () => {
  it('stories260K (RMSNorm): folds the norms, centres the unembedding, records the skipped centring; predictions unchanged', async () => {
    const original = await loadLlama2c(repoPath('data/models/stories260K/stories260K.bin'));
    const { model, weightProcessing } = prepareModelForRun(original);
    expect(weightProcessing).toMatchObject({ fold_ln: true, center_writing_weights: false, center_unembed: true, fold_value_biases: true });
    expect(weightProcessing.skipped.center_writing_weights).toMatch(/LayerNorm/);
    expect(model.cfg.normalization_type).toBe('RMSPre');
    expect(JSON.parse(JSON.stringify(weightProcessing))).toEqual(weightProcessing); // storable in Run.options

    const tokens = [[1, 403, 407, 261, 378]];
    const [before, after] = await Promise.all(
      [original, model].map(async (m) => {
        const runner = new OnnxRunner(m);
        try {
          return (await runner.run(tokens, ['logits'])).get('logits')!;
        } finally {
          await runner.dispose();
        }
      }),
    );
    // Centring the unembedding shifts each position's logits by a constant: differences between tokens are kept.
    const V = 512;
    for (let p = 0; p < tokens[0].length; p++) {
      const shift = after.data[p * V] - before.data[p * V];
      for (let i = 0; i < V; i++) expect(after.data[p * V + i] - before.data[p * V + i]).toBeCloseTo(shift, 3);
    }
    // The first prediction is still "Once" (403).
    const first = Array.from(after.data.subarray(0, V));
    expect(first.indexOf(Math.max(...first))).toBe(403);
  });

  it('"none" leaves the weights as loaded; bad requests fail clearly', async () => {
    const original = await loadLlama2c(repoPath('data/models/stories260K/stories260K.bin'));
    const { model, weightProcessing } = prepareModelForRun(original, 'none');
    expect(weightProcessing).toEqual({
      fold_ln: false,
      center_writing_weights: false,
      center_unembed: false,
      fold_value_biases: false,
      skipped: {},
    });
    expect(model.weights.get('unembed.W_U')).toBe(original.weights.get('unembed.W_U'));
    expect(() => parseWeightProcessingRequest('all')).toThrow(/"tl".*or "none"/);
  });
});
