import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { buildPlantedModel, PLANTED } from '../../testing/planted-models';
import type { HeadMetricContext } from './types';
import { ordinalTasks, successorMetric } from './successor';
import { directLogitAttributionMetric } from './direct-logit-attribution';
import { detectorTokens } from './detect-head';

/** The planted model with L1H2 turned into a successor head: OV maps each ordinal token's vector to its successor's, in OUT. */
function plantedWithSuccessorHead() {
  const planted = buildPlantedModel();
  const { cfg, weights } = planted.model;
  const { usable } = ordinalTasks(planted.tokenizer);
  const WV = weights.get('blocks.1.attn.W_V')!.data;
  const WO = weights.get('blocks.1.attn.W_O')!.data;
  const { d_model: D, d_head: H } = cfg;
  let slot = 0;
  for (const task of usable) {
    for (let i = 0; i + 1 < task.ids.length; i++, slot++) {
      const from = planted.tokenVectors[task.ids[i]];
      const to = planted.tokenVectors[task.ids[i + 1]];
      for (let c = 0; c < PLANTED.dTok; c++) {
        WV[(2 * D + c) * H + slot] = from[c]; // TOK block of head 2
        WO[(2 * H + slot) * D + (256 + c)] = to[c]; // OUT block
      }
    }
  }
  if (slot > H) throw new Error('too many pairs for d_head');
  return planted;
}

describe('successor score', () => {
  it('the planted tokenizer: digits and both letter cases are single tokens; words are not', () => {
    const { usable, unusable } = ordinalTasks(buildPlantedModel().tokenizer);
    expect(usable.map((t) => t.name)).toEqual(['digits', 'letters_lower', 'letters_upper']);
    expect(unusable).toContain('days');
  });

  it('finds exactly the planted successor head; the copying head ranks the token itself, not its successor', async () => {
    const planted = plantedWithSuccessorHead();
    const ctx = { cfg: planted.model.cfg, weights: planted.model.weights, tokenizer: planted.tokenizer } as HeadMetricContext;
    const scores = await successorMetric.compute(ctx);
    expect(scores[1][2]).toBe(1);
    // L1H1 copies (the token itself tops), the rest write nothing the unembedding reads (all logits tie).
    for (const [l, h] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
    ])
      expect(scores[l][h]).toBe(0);
  });
});

describe('direct logit attribution', () => {
  it('the planted model: the only head the unembedding reads (L1H1) gets the whole mean correct-token logit; the rest 0', async () => {
    const planted = buildPlantedModel();
    const texts = ['abcabcabcabc', 'The cat sat on the mat. The cat sat on the mat.'];
    const runner = new OnnxRunner(planted.model);
    const ctx: HeadMetricContext = {
      cfg: planted.model.cfg,
      weights: planted.model.weights,
      runner,
      tokenizer: planted.tokenizer,
      texts,
      seed: 0,
    };
    const dla = await directLogitAttributionMetric.compute(ctx);
    // No norm, no biases, W_U reads only OUT, which only L1H1 writes: logits = L1H1's output · W_U.
    let sum = 0;
    let count = 0;
    for (const tokens of detectorTokens(planted.tokenizer, texts, planted.model.cfg.n_ctx)) {
      const logits = (await runner.run([tokens], ['logits'])).get('logits')!.data;
      for (let p = 0; p + 1 < tokens.length; p++, count++) sum += logits[p * PLANTED.dVocab + tokens[p + 1]];
    }
    expect(sum / count).toBeGreaterThan(5);
    expect(dla[1][1]).toBeCloseTo(sum / count, 3);
    for (const [l, h] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 2],
    ])
      expect(dla[l][h]).toBe(0);
  });
});
