import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { makeRng } from '@/lib/sampling/random';
import { calibrateHeadExamples, scanHeadShard } from './scan';
import { classifyExample } from './classify';
import { finalizeHeadExamples, mergeHeadShards } from './merge';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS, type HeadExample, type HeadExampleSet, type HeadShardResult } from './types';

/**
 * The planted model (lib/testing/planted-models.ts) has a previous-token head L0H1 and an induction head L1H1
 * by construction; its tokenizer maps printable ASCII to ids. Documents: random letter strings, half of them
 * with a repeated span, so the induction head has something to find.
 */
const planted = buildPlantedModel();
const rng = makeRng(7);
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const randomText = (n: number) => Array.from({ length: n }, () => letters[rng.int(letters.length)]).join('');
const documents = Array.from({ length: 12 }, (_, index) => {
  const a = randomText(30);
  return { index, text: index % 2 === 0 ? `${a}${randomText(8)}${a}` : randomText(60 + index) };
});
const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: 48, batchSize: 4, k: 5 };

/** The source the destination row of an example attends to most (context position). */
function topSource(ex: HeadExample): { k: number; a: number } {
  const row = ex.attn[ex.pos - ex.windowStart];
  return { k: row[0], a: row[1] };
}
const tokenAt = (ex: HeadExample, p: number) => ex.tokens[p - ex.windowStart];

describe('head examples on the planted model', () => {
  const runner = new OnnxRunner(planted.model, { intraOpNumThreads: 1 });
  const cfg = planted.model.cfg;
  let whole: HeadShardResult;
  let sets: HeadExampleSet[];
  let normRanges: Awaited<ReturnType<typeof calibrateHeadExamples>>;
  beforeAll(async () => {
    normRanges = await calibrateHeadExamples({ cfg, runner, tokenizer: planted.tokenizer, documents, options });
    whole = await scanHeadShard({ cfg, runner, tokenizer: planted.tokenizer, documents, options, normRanges });
    sets = finalizeHeadExamples(whole);
  });
  afterAll(() => runner.dispose());
  const set = (layer: number, head: number) => sets.find((s) => s.layer === layer && s.head === head)!;

  it('previous-token head L0H1: every top example attends one token back', () => {
    const { topAttention } = set(0, 1);
    expect(topAttention).toHaveLength(5);
    for (const ex of topAttention) {
      expect(topSource(ex).k).toBe(ex.pos - 1);
      expect(topSource(ex).a).toBeGreaterThan(0.99);
      expect(ex.value).toBeCloseTo(topSource(ex).a, 3);
    }
  });

  it('induction head L1H1: top examples are repeated-text positions attending to the token after the earlier occurrence', () => {
    const { topAttention, topNorm } = set(1, 1);
    for (const ex of topAttention) {
      const { k, a } = topSource(ex);
      expect(a).toBeGreaterThan(0.9);
      // k = pos is allowed: in "xx" the second x is itself the token after the earlier occurrence.
      expect(k).toBeLessThanOrEqual(ex.pos);
      // The source's previous token is the destination token: the token after the earlier occurrence.
      expect(tokenAt(ex, k - 1)).toBe(tokenAt(ex, ex.pos));
      // Its window reaches back far enough to show the earlier occurrence.
      expect(k - 1).toBeGreaterThanOrEqual(ex.windowStart);
    }
    expect(topNorm[0].value).toBeGreaterThan(0);
  });

  it('classified as scripts/dev/head-examples-validate.ts does: planted heads 100 %, the uniform head never', () => {
    const share = (list: HeadExample[], key: 'previous' | 'induction') =>
      list.filter((ex) => classifyExample(ex)[key]).length / list.length;
    expect(share(set(0, 1).topAttention, 'previous')).toBe(1);
    expect(share(set(0, 1).topNorm, 'previous')).toBe(1);
    expect(share(set(1, 1).topAttention, 'induction')).toBe(1);
    expect(share(set(1, 1).topAttention, 'previous')).toBe(0);
    // Top examples by output norm reach back to the destination's main source (and the two tokens before it).
    for (const ex of set(1, 1).topNorm) {
      const { source } = classifyExample(ex);
      if (source >= 2) expect(ex.windowStart).toBeLessThanOrEqual(Math.max(0, source - 2, ex.pos - options.maxWindowBefore));
    }
    expect(share(set(0, 0).topAttention, 'induction')).toBe(0);
  });

  it('uniform heads (zero OV) write nothing: norm 0, and the histogram counts every destination token', () => {
    const s = set(0, 0);
    expect(s.normStats.max).toBe(0);
    const counted = s.normHistogram.counts.reduce((a, b) => a + b, 0);
    expect(counted).toBe(whole.tokens);
    expect(s.attentionHistogram.counts.reduce((a, b) => a + b, 0)).toBe(whole.tokens);
    // Tokens scanned = every non-BOS token of every context.
    const expectedTokens = documents.reduce((a, d) => {
      const n = planted.tokenizer.encode(d.text, { bos: false }).length;
      return a + n; // each chunk adds BOS, which is not counted
    }, 0);
    expect(whole.tokens).toBe(expectedTokens);
  });

  it('quantile samples have values in their histogram bin; sparse rows are best-first and causal', () => {
    const s = set(1, 1);
    for (const q of s.quantileSamples) {
      expect(q.example).not.toBeNull();
      const bin = s.normHistogram.edges;
      const v = q.example!.value;
      expect(v).toBeGreaterThanOrEqual(bin[0] - 1e-9);
    }
    for (const ex of [...s.topNorm, ...s.topAttention]) {
      ex.attn.forEach((row, i) => {
        const dest = ex.windowStart + i;
        for (let j = 0; j < row.length; j += 2) {
          expect(row[j]).toBeLessThanOrEqual(dest);
          if (j > 0) expect(row[j + 1]).toBeLessThanOrEqual(row[j - 1]);
        }
      });
      expect(ex.acts).toHaveLength(ex.tokens.length);
    }
  });

  it('merging shards gives exactly the single-pass result, in any order', async () => {
    const scan = (docs: typeof documents) =>
      scanHeadShard({ cfg, runner, tokenizer: planted.tokenizer, documents: docs, options, normRanges });
    const a = await scan(documents.slice(0, 5));
    const b = await scan(documents.slice(5, 9));
    const c = await scan(documents.slice(9));
    const json = (r: HeadShardResult) => JSON.stringify(r);
    expect(json(mergeHeadShards([a, b, c]))).toBe(json(whole));
    expect(json(mergeHeadShards([c, mergeHeadShards([b, a])]))).toBe(json(whole));
    // Shard results survive a JSON round trip (the queue stores them serialised).
    expect(json(mergeHeadShards([JSON.parse(json(a)), JSON.parse(json(b)), JSON.parse(json(c))]))).toBe(json(whole));
  });
});

describe('default head-example options', () => {
  it('never cut contexts longer than the model reads (a 64-token model gets 64, a 1024-token one 128)', async () => {
    const { headExampleOptionsFor } = await import('./types');
    expect(headExampleOptionsFor({ n_ctx: 64 }).contextLength).toBe(64);
    expect(headExampleOptionsFor({ n_ctx: 1024 }).contextLength).toBe(DEFAULT_HEAD_EXAMPLE_OPTIONS.contextLength);
  });
});
