import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceRunner } from '@/lib/engine/reference';
import type { ActivationCache, ForwardRunner } from '@/lib/engine/types';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { computeHeadWiki, EXAMPLE_MAX_TOKENS, type HeadWiki } from './compute-head-wiki';
import { previousTokenMetric } from '@/lib/metrics/heads/previous-token';
import { duplicateTokenMetric } from '@/lib/metrics/heads/duplicate-token';
import { inductionMetric } from '@/lib/metrics/heads/induction';
import { inductionTlMetric } from '@/lib/metrics/heads/induction-tl';

// The pattern detectors and induction metrics only (the full suite is tested in compute-head-wiki-suite.test.ts).
const detectorMetrics = [previousTokenMetric, duplicateTokenMetric, inductionMetric, inductionTlMetric];

/** Counts forward calls, to check that the metrics share their passes. */
class CountingRunner implements ForwardRunner {
  calls: { batch: number; seqLen: number; hooks: string[] }[] = [];
  constructor(private readonly inner: ForwardRunner) {}
  run(tokens: number[][], hooks: string[]): Promise<ActivationCache> {
    this.calls.push({ batch: tokens.length, seqLen: tokens[0].length, hooks });
    return this.inner.run(tokens, hooks);
  }
}

// Three texts longer than the detectors' 127-token cut: one batch for all of them.
const texts = [
  'Once upon a time, there was a little girl named Lily. She liked to play outside with her friends in the park every day. One day she found a shiny red ball.',
  'Tom had a big red truck. He liked to push it up the hill and let it roll down again. His sister Sue watched him and laughed every time it went fast.',
  'The sun was warm and the sky was blue. A small bird sang in the tree by the pond, and the frogs sang back. It was a happy day for everyone in the garden.',
];

const planted = buildPlantedModel();
const value = (wiki: HeadWiki, metricId: string, layer: number, head: number) =>
  wiki.metrics.find((m) => m.metricId === metricId && m.layer === layer && m.head === head)!.value;

describe('computeHeadWiki on the planted model', () => {
  const runner = new CountingRunner(new ReferenceRunner(planted.model));
  const progress: { step: string; done: number; total: number }[] = [];
  let wiki: HeadWiki;
  beforeAll(async () => {
    wiki = await computeHeadWiki({
      model: planted.model,
      tokenizer: planted.tokenizer,
      runner,
      texts,
      seed: 0,
      onProgress: (p) => progress.push(p),
      metrics: detectorMetrics,
      composition: false,
    });
  });

  it('stores one value per metric and head, with the metric version', () => {
    expect(wiki.metricVersions).toEqual({ previous_token: 1, duplicate_token: 1, induction: 1, induction_tl: 1 });
    expect(wiki.metrics).toHaveLength(4 * 2 * 3);
    expect(wiki.metrics.every((m) => m.metricVersion === 1 && Number.isFinite(m.value))).toBe(true);
  });

  it('puts each planted head’s score where it belongs', () => {
    const top = (metricId: string) => {
      const rows = wiki.metrics.filter((m) => m.metricId === metricId).sort((a, b) => b.value - a.value);
      return { head: `L${rows[0].layer}H${rows[0].head}`, value: rows[0].value, runnerUp: rows[1].value };
    };
    // Three 127-token texts: a perfect previous-token head scores 126/127.
    expect(top('previous_token')).toMatchObject({ head: 'L0H1' });
    expect(value(wiki, 'previous_token', 0, 1)).toBeCloseTo(126 / 127, 5);
    expect(top('duplicate_token')).toMatchObject({ head: 'L0H2' });
    expect(value(wiki, 'duplicate_token', 0, 2)).toBeGreaterThan(0.75);
    expect(top('induction')).toMatchObject({ head: 'L1H1' });
    expect(value(wiki, 'induction', 1, 1)).toBeCloseTo(0.986, 5);
    expect(top('induction_tl')).toMatchObject({ head: 'L1H1' });
    for (const id of ['previous_token', 'duplicate_token', 'induction', 'induction_tl']) expect(top(id).runnerUp).toBeLessThan(0.1);
  });

  it('runs three forward calls: the texts (shared by both detectors), the repeated tokens (shared), the example', () => {
    expect(runner.calls.map((c) => [c.batch, c.seqLen])).toEqual([
      [3, 127],
      [10, 101],
      [1, EXAMPLE_MAX_TOKENS],
    ]);
    expect(runner.calls[0].hooks).toEqual(['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_pattern']);
  });

  it('keeps every head’s pattern on the first text, cut to 48 tokens', () => {
    const { tokenIds, tokens, patterns } = wiki.example;
    expect(tokenIds).toEqual(planted.tokenizer.encode(texts[0], { bos: true }).slice(0, 48));
    expect(tokens.slice(0, 6)).toEqual(['<s>', 'O', 'n', 'c', 'e', ' ']);
    expect(patterns.map((p) => `L${p.layer}H${p.head}`)).toEqual(['L0H0', 'L0H1', 'L0H2', 'L1H0', 'L1H1', 'L1H2']);
    const seq = 48;
    for (const p of patterns) expect(p.pattern).toHaveLength(seq * seq);
    const at = (l: number, h: number, q: number, k: number) => patterns[l * 3 + h].pattern[q * seq + k];
    // L0H1 attends to the previous position; L0H0 uniformly; nothing above the diagonal.
    for (const q of [1, 10, 47]) expect(at(0, 1, q, q - 1)).toBeCloseTo(1, 6);
    for (const q of [0, 9, 47]) expect(at(0, 0, q, 0)).toBeCloseTo(1 / (q + 1), 6);
    expect(at(1, 1, 3, 40)).toBe(0);
  });

  it('reports progress step by step, ending at total', () => {
    expect(progress.map((p) => p.step)).toEqual([
      'metric previous_token',
      'metric duplicate_token',
      'metric induction',
      'metric induction_tl',
      'example patterns',
      'done',
    ]);
    expect(progress.at(-1)).toEqual({ step: 'done', done: 5, total: 5 });
  });
});

describe('computeHeadWiki input and metric checks', () => {
  const base = { model: planted.model, tokenizer: planted.tokenizer, runner: new ReferenceRunner(planted.model), seed: 0 };

  it('needs texts and an integer seed', async () => {
    await expect(computeHeadWiki({ ...base, texts: [] })).rejects.toThrow('computeHeadWiki: needs at least one text; got none');
    await expect(computeHeadWiki({ ...base, texts: ['abc'], seed: 0.5 })).rejects.toThrow('seed must be an integer; got 0.5');
  });

  it('refuses a metric that returns the wrong shape or a non-finite value', async () => {
    const fake = (id: string, out: number[][]): HeadMetric => ({
      id,
      title: id,
      summary: '',
      definition: '',
      citation: { text: '', url: '' },
      range: [0, 1],
      version: 1,
      needs: 'weights',
      compute: async () => out,
    });
    await expect(computeHeadWiki({ ...base, texts: ['abc'], metrics: [fake('short', [[1, 2, 3]])] })).rejects.toThrow(
      'head metric "short" returned 1 layers of [3] heads; expected 2 layers × 3 heads',
    );
    await expect(
      computeHeadWiki({
        ...base,
        texts: ['abc'],
        metrics: [
          fake('nan', [
            [1, 2, 3],
            [4, NaN, 6],
          ]),
        ],
      }),
    ).rejects.toThrow('head metric "nan" gave NaN for L1H1; values must be finite');
  });
});
