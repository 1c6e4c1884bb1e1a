import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../engine/reference';
import { OnnxRunner } from '../engine/onnx-runner';
import type { CanonicalModel } from '../models/types';
import type { Tokenizer } from '../tokenizers/types';
import { asciiTokenizer, copyModel, smallRandomModel } from '../testing/diff-fixtures';
import { computeBlackBoxPartial, finalizeBlackBox, mergeBlackBoxPartials } from './black-box';
import { prepareDiffModel } from './model';
import { documentLogProbs } from './log-probs';
import { choosePatchingText } from './patching';
import type { DiffModel } from './types';

const corpus = [
  'the cat sat on the mat.',
  'xx marks the spot; then the dog ran',
  '',
  'a  double  spaced   text with   runs',
  'once upon a time there was a tiny model that liked x and y',
  'short',
];

const reference = (m: CanonicalModel) => new ReferenceRunner(m);
async function side(
  slug: string,
  model: CanonicalModel,
  tokenizer: Tokenizer,
  runner: 'onnx' | 'reference' = 'reference',
): Promise<DiffModel> {
  return prepareDiffModel(slug, model, tokenizer, runner === 'reference' ? { runner: reference } : {});
}

describe('black-box diff', () => {
  const tok = asciiTokenizer();
  const base = smallRandomModel(tok.vocabSize, 1);

  it('an identical copy gives exactly zero everywhere (ONNX runners)', async () => {
    const a = await side('a', base, tok, 'onnx');
    const b = await side('b', copyModel(base), tok, 'onnx');
    const diff = finalizeBlackBox(
      await computeBlackBoxPartial(a, b, { firstDocument: 0, documents: corpus }, { contextLength: 16, batchSize: 3 }),
    );
    expect(diff.alignment.method).toBe('tokens');
    expect(diff.alignment.documents.tokens).toBe(corpus.length);
    expect(diff.meanAbsSegmentDiff).toBe(0);
    expect(diff.meanSegmentDiff).toBe(0);
    expect(diff.topForA).toEqual([]);
    expect(diff.topForB).toEqual([]);
    expect(diff.lossA).toEqual(diff.lossB);
    expect(diff.bestTextForA).toBeNull();
    expect(diff.bestTextForB).toBeNull();
  });

  it('per-token log-probs match the reference forward, and the loss is their mean', async () => {
    const ids = corpus.map((t) => tok.encode(t));
    const onnx = await documentLogProbs(await OnnxRunner.create(base), ids, { contextLength: 16, batchSize: 4, bos: 0 });
    const ref = await documentLogProbs(new ReferenceRunner(base), ids, { contextLength: 16, batchSize: 1, bos: 0 });
    onnx.forEach((d, i) => d.forEach((x, j) => expect(x).toBeCloseTo(ref[i][j], 4)));
    // By hand for one window: position j predicts token j + 1 from BOS + tokens ≤ j.
    const logits = (await new ReferenceRunner(base).run([[0, ...ids[5]]], ['logits'])).get('logits')!;
    const V = logits.shape[2];
    const row = Array.from(logits.data.subarray(2 * V, 3 * V));
    const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    expect(ref[5][2]).toBeCloseTo(row[ids[5][2]] - lse, 6);
    const diff = finalizeBlackBox(
      await computeBlackBoxPartial(
        await side('a', base, tok),
        await side('b', smallRandomModel(tok.vocabSize, 2), tok),
        { firstDocument: 0, documents: corpus },
        { contextLength: 16 },
      ),
    );
    const tokens = ids.reduce((n, d) => n + d.length, 0);
    expect(diff.lossA.tokens).toBe(tokens);
    // prepareDiffModel applied TransformerLens' processing (centring shifts logits by float error only).
    expect(diff.lossA.lossPerToken).toBeCloseTo(-ref.flatMap((d) => [...d]).reduce((s, x) => s + x, 0) / tokens, 6);
  });

  it('a planted preference comes out on top: B raises the logit of "x", so B is better exactly where x comes next', async () => {
    const boosted = copyModel(base);
    const bU = boosted.weights.get('unembed.b_U')!;
    bU.data[tok.encode('x')[0]] += 4;
    const diff = finalizeBlackBox(
      await computeBlackBoxPartial(
        await side('a', base, tok),
        await side('b', boosted, tok),
        { firstDocument: 0, documents: corpus },
        { topK: 3, contextLength: 16 },
      ),
    );
    expect(diff.topForB.length).toBe(3);
    for (const c of diff.topForB) {
      expect(c.segments[c.focus].text).toBe('x');
      expect(c.diff).toBeGreaterThan(1);
      expect(c.tokensA).toEqual([{ id: tok.encode('x')[0], text: 'x', logProb: c.segments[c.focus].logProbA }]);
    }
    for (const c of diff.topForA) expect(c.segments[c.focus].text).not.toBe('x');
    expect(diff.bestTextForB?.text).toContain('x');
    expect(choosePatchingText(diff)).toEqual(
      diff.bestTextForA && diff.bestTextForA.advantage > diff.bestTextForB!.advantage ? diff.bestTextForA : diff.bestTextForB,
    );
    // Contexts: the focus segment's text sits at its offsets, after its prefix.
    const c = diff.topForB[0];
    const doc = corpus[c.document];
    expect(doc.slice(c.segments[c.focus].charStart, c.segments[c.focus].charEnd)).toBe('x');
    expect(doc.slice(0, c.segments[0].charStart).endsWith(c.prefix)).toBe(true);
  });

  it('shards merge exactly: three shards in any grouping give the bits of one pass', async () => {
    const a = await side('a', base, tok);
    const b = await side('b', smallRandomModel(tok.vocabSize, 2), tok);
    const opts = { topK: 5, contextLength: 12 };
    const whole = finalizeBlackBox(await computeBlackBoxPartial(a, b, { firstDocument: 0, documents: corpus }, opts));
    const p = await Promise.all([
      computeBlackBoxPartial(a, b, { firstDocument: 0, documents: corpus.slice(0, 2) }, opts),
      computeBlackBoxPartial(a, b, { firstDocument: 2, documents: corpus.slice(2, 5) }, opts),
      computeBlackBoxPartial(a, b, { firstDocument: 5, documents: corpus.slice(5) }, opts),
    ]);
    const roundTrip = p.map((x) => JSON.parse(JSON.stringify(x)));
    expect(finalizeBlackBox(mergeBlackBoxPartials([roundTrip[2], mergeBlackBoxPartials([roundTrip[1], roundTrip[0]])]))).toEqual(whole);
    expect(() => mergeBlackBoxPartials([p[0], p[0]])).toThrow(/document 0 is in two partials/);
  });

  it('different tokenizers are aligned by characters, summing each model’s log-probs over aligned segments', async () => {
    const tokB = asciiTokenizer({ bigrams: ['th', 'he', ' t', 'e ', 'at', 'in', 'ex'], collapseSpaces: true });
    const a = await side('a', base, tok);
    const b = await side('b', smallRandomModel(tokB.vocabSize, 5), tokB);
    const partial = await computeBlackBoxPartial(
      a,
      b,
      { firstDocument: 0, documents: corpus },
      { topK: 50, contextLength: 16, segmentsBefore: 1000, segmentsAfter: 1000 },
    );
    const diff = finalizeBlackBox(partial);
    expect(diff.alignment.sameVocabulary).toBe(false);
    expect(diff.alignment.method).toBe('characters');
    expect(diff.alignment.description).toMatch(/aligned by characters/);
    // The totals are each model's own sums, whatever the alignment.
    const idsB = corpus.map((t) => tokB.encode(t));
    const lpB = await documentLogProbs(new ReferenceRunner(b.model), idsB, { contextLength: 16, batchSize: 1, bos: 0 });
    expect(diff.lossB.tokens).toBe(idsB.reduce((n, d) => n + d.length, 0));
    expect(diff.lossB.lossPerToken).toBeCloseTo(-lpB.flatMap((d) => [...d]).reduce((s, x) => s + x, 0) / diff.lossB.tokens, 6);
    // Every segment of the double-spaced document: text = the document's characters; both sides' tokens lie inside it.
    const context = [...diff.topForA, ...diff.topForB].find((c) => c.document === 3)!;
    expect(context.segments.map((s) => s.text).join('')).toBe(corpus[3]);
    for (const s of context.segments) expect(s.tokensA).toBeGreaterThan(0);
    expect(context.segments.reduce((n, s) => n + s.tokensB, 0)).toBe(idsB[3].length);
    const th = diff.topForA
      .concat(diff.topForB)
      .flatMap((c) => c.segments)
      .find((s) => s.text === 'th');
    expect(th?.tokensA).toBe(2); // 't', 'h' vs the bigram 'th'
    expect(th?.tokensB).toBe(1);
  });
});
