import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../engine/reference';
import { buildPlantedModel } from '../testing/planted-models';
import { asciiTokenizer, changeHeadAttention, copyModel, smallRandomModel } from '../testing/diff-fixtures';
import { prepareDiffModel } from './model';
import { computeHeadMetricDiff } from './head-metric-diff';
import { computeContinuations, greedy } from './continuations';
import { computeTaskDiffs } from './tasks';
import type { DiffTask } from './types';

describe('head-metric diff', () => {
  const planted = buildPlantedModel();
  const texts = [
    'the quick brown fox jumps over the lazy dog',
    'pack my box with five dozen liquor jugs',
    'sphinx of black quartz, judge my vow',
  ];

  it('the planted previous-token head, its attention changed, tops the previous-token difference; a copy differs nowhere', async () => {
    const a = await prepareDiffModel('planted', planted.model, planted.tokenizer);
    const b = await prepareDiffModel('changed', changeHeadAttention(planted.model, 0, 1), planted.tokenizer);
    const d = await computeHeadMetricDiff(a, b, texts, { metrics: ['previous_token', 'attention_entropy'] });
    const prev = d.metrics.find((m) => m.id === 'previous_token')!;
    expect(prev.maxAbsDiffHead).toBe('L0H1');
    expect(prev.maxAbsDiff).toBeGreaterThan(0.5);
    expect(d.top[0]).toMatchObject({ layer: 0, head: 1 });
    const same = await computeHeadMetricDiff(a, await prepareDiffModel('copy', copyModel(planted.model), planted.tokenizer), texts, {
      metrics: ['previous_token'],
    });
    expect(same.metrics[0]).toMatchObject({ meanAbsDiff: 0, maxAbsDiff: 0 });
  });
});

describe('continuations and tasks', () => {
  const tok = asciiTokenizer();
  it('greedy continuations decoded together equal each prompt decoded alone, and the arg-max of the reference forward', async () => {
    const model = smallRandomModel(tok.vocabSize, 9);
    const m = await prepareDiffModel('m', model, tok);
    const prompts = ['hello', 'a much longer prompt than the first', 'x'];
    const together = await greedy(m, prompts, 6);
    for (const [i, p] of prompts.entries()) expect((await greedy(m, [p], 6))[0]).toEqual(together[i]);
    const ref = new ReferenceRunner(m.model);
    const ids = tok.encode(prompts[0], { bos: true });
    for (let step = 0; step < 6; step++) {
      const logits = (await ref.run([ids], ['logits'])).get('logits')!;
      const row = logits.data.subarray((ids.length - 1) * logits.shape[2], ids.length * logits.shape[2]);
      ids.push(row.indexOf(Math.max(...row)));
    }
    expect(together[0].tokens).toEqual(ids.slice(-6));
    const pairs = await computeContinuations(m, await prepareDiffModel('n', smallRandomModel(tok.vocabSize, 10), tok), prompts, {
      maxNewTokens: 6,
    });
    expect(pairs.map((p) => p.prompt)).toEqual(prompts);
    expect(pairs[0].a).toEqual(together[0]);
    await expect(computeContinuations(m, m, ['x'], { maxNewTokens: -1 })).rejects.toThrow(/maxNewTokens/);
  });

  it('tasks plug in: metrics lined up per model, a side that cannot run a task says why', async () => {
    const a = await prepareDiffModel('a', smallRandomModel(tok.vocabSize, 1), tok);
    const b = await prepareDiffModel('b', smallRandomModel(tok.vocabSize, 2), tok);
    const task: DiffTask = {
      id: 'toy',
      title: 'Toy task',
      run: async (m) =>
        m.slug === 'a' ? { metrics: { accuracy: 0.5, logit_diff: 1 }, n: 10 } : { unavailable: 'names are not single tokens' },
    };
    const rows = await computeTaskDiffs(a, b, [task]);
    expect(rows).toEqual([
      { task: 'toy', title: 'Toy task', metric: 'accuracy', a: 0.5, b: null, diff: null, n: 10, note: 'b: names are not single tokens' },
      { task: 'toy', title: 'Toy task', metric: 'logit_diff', a: 1, b: null, diff: null, n: 10, note: 'b: names are not single tokens' },
    ]);
  });
});
