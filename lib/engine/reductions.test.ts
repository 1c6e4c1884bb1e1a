import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from './onnx-runner';
import { ReferenceRunner } from './reference';
import { randomModel } from './random-model';
import { firstPositionOf, reduceOnHost } from './reductions';
import { contextRow, expectSameReductions, graphReductions, paddedBatch, REDUCTIONS_LENGTH as LENGTH } from '@/lib/testing/reductions';
import { buildPlantedNeuronModel, charId } from '@/lib/testing/planted-neurons';

describe('in-graph position reductions', () => {
  const model = randomModel({ act_fn: 'gelu_new', d_mlp: 48, n_layers: 2, d_vocab: 50, n_ctx: 40 }, { seed: 3 });
  const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
  afterAll(() => runner.dispose());
  const hook = 'blocks.1.mlp.hook_post';
  const contexts = [
    [1, 5, 9, 13, 2, 44, 7, 7, 7, 30, 31],
    [1, 3],
    [1, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9],
    [1, 40, 41, 42, 43],
  ];

  it('equal the host reductions they replace (random GELU model): extremes and counts exactly, sums to float32 rounding', async () => {
    const { tokens, observed, seq } = paddedBatch(contexts, 0);
    const { cache, reduced } = await graphReductions(runner, tokens, hook, observed);
    expectSameReductions(reduced, reduceOnHost(cache.get(hook)!.data, contexts.length, seq, 48, observed, LENGTH), 48);
  });

  it('give a context the same bits in any batch, however padded (so shard splits publish identical rows)', async () => {
    const alone = await Promise.all(
      contexts.map(async (c) => {
        const { tokens, observed } = paddedBatch([c], 0);
        return contextRow((await graphReductions(runner, tokens, hook, observed)).reduced, 0, 48);
      }),
    );
    const { tokens, observed } = paddedBatch([...contexts].reverse(), 0, 37);
    const together = (await graphReductions(runner, tokens, hook, observed)).reduced;
    contexts.forEach((_, i) => expect(contextRow(together, contexts.length - 1 - i, 48)).toEqual(alone[i]));
  });

  it('match the plain-TS reference forward', async () => {
    const { tokens, observed, seq } = paddedBatch(contexts, 0);
    const { reduced } = await graphReductions(runner, tokens, hook, observed);
    const ref = (await new ReferenceRunner(model).run(tokens, [hook])).get(hook)!.data;
    const want = reduceOnHost(ref, contexts.length, seq, 48, observed, LENGTH);
    for (const k of ['max', 'min', 'sums'] as const) {
      want[k].forEach((w, i) => expect(Math.abs(reduced[k][i] - w)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(w))));
    }
  });

  it('find the planted neurons’ maxima, positions and firing counts', async () => {
    const { model: planted, tokenizer } = buildPlantedNeuronModel();
    const r = new OnnxRunner(planted, { intraOpNumThreads: 1 });
    try {
      const text = 'a fox, a box, quiz';
      const ids = tokenizer.encode(text, { bos: true });
      const { tokens, observed } = paddedBatch([ids], tokenizer.eosId);
      const { cache, reduced } = await graphReductions(r, tokens, 'blocks.0.mlp.hook_post', observed);
      const units = 8;
      expect(reduced.max[0]).toBe(4); // neuron 0 fires 4 on 'x', first at "fox"
      const data = cache.get('blocks.0.mlp.hook_post')!.data;
      expect(firstPositionOf(4, data, 0, units, 1, ids.length)).toBe(ids.indexOf(charId('x')));
      expect(reduced.sums[4 * units + 0]).toBe(2); // two x's
      expect(reduced.sums[0 * units + 1]).toBe(6); // neuron 1: 3 on 'q' and 3 on 'z'
      expect(reduced.sums[1 * units + 1]).toBe(18);
      expect(reduced.max[3]).toBe(0);
      expect(reduced.sums[4 * units + 3]).toBe(0);
    } finally {
      await r.dispose();
    }
  });

  it('refuse a hook that is not requested, not [batch, pos, units], or a mask of the wrong size', async () => {
    const { tokens, observed } = paddedBatch(contexts, 0);
    await expect(
      runner.run(tokens, ['blocks.0.mlp.hook_pre'], { reductions: { hooks: [hook], observed, length: LENGTH } }),
    ).rejects.toThrow(/must also be requested/);
    const z = 'blocks.0.attn.hook_z';
    await expect(runner.run(tokens, [z], { reductions: { hooks: [z], observed, length: LENGTH } })).rejects.toThrow(
      /only \[batch, pos, units\]/,
    );
    await expect(
      runner.run(tokens, [hook], { reductions: { hooks: [hook], observed: observed.subarray(1), length: LENGTH } }),
    ).rejects.toThrow(/observed has/);
  });
});
