import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../models/registry';
import { loadModelFolder } from '../models/load-folder';
import { loadGpt2Tokenizer } from '../tokenizers/gpt2-bpe';
import { randomModel } from '../engine/random-model';
import { sharedDataPath, withoutSharedData, repoPath } from '../../scripts/testing/shared-data';
import { prepareDiffModel } from './model';
import { computeBlackBoxDiff } from './index';
import { computeContinuations } from './continuations';

/** The first stories of the bundled TinyStories sample, plus one with runs of spaces (encoders disagree on those). */
function stories(n: number): string[] {
  const text = fs.readFileSync(repoPath('data/corpora/tinystories-sample.txt'), 'utf8');
  const docs = text
    .split(/\n\s*\n/)
    .map((d) => d.trim())
    .filter((d) => d.length > 0)
    .slice(0, n);
  return [...docs, 'Tom  and  Sue went to the park.   They played all day.'];
}

describe.skipIf(withoutSharedData('models/gelu-2l', 'tokenizers/gpt2'))('black-box diff of real models', () => {
  it('stories260K vs gelu-2l (one tok512 vocabulary, two encoders): tokens where the ids agree, characters where spaces differ', async () => {
    const s = await resolveModel('stories260K');
    const g = await loadModelFolder(sharedDataPath('models/gelu-2l'));
    const a = await prepareDiffModel('stories260K', s.model, s.tokenizer);
    const b = await prepareDiffModel('gelu-2l', g.model, g.tokenizer);
    const corpus = stories(6);
    const d = await computeBlackBoxDiff(a, b, corpus, { contextLength: 128, prompts: ['Once upon a time'], maxNewTokens: 12 });
    expect(d.alignment.sameVocabulary).toBe(true);
    expect(d.alignment.documents.characters).toBeGreaterThanOrEqual(1);
    expect(d.alignment.documents.tokens).toBeGreaterThanOrEqual(1);
    expect(d.alignment.documents.document).toBe(0);
    expect(d.alignment.description).toMatch(/compared token by token.*aligned by characters/);
    // Both are trained on TinyStories-like text: losses well under uniform (ln 512 = 6.24 nats).
    for (const loss of [d.lossA, d.lossB]) {
      expect(loss.lossPerToken).toBeGreaterThan(0.3);
      expect(loss.lossPerToken).toBeLessThan(3.5);
    }
    expect(d.topForA.length + d.topForB.length).toBeGreaterThan(10);
    expect(d.continuations[0].a.text.length).toBeGreaterThan(0);
    expect(d.continuations[0].b.text.length).toBeGreaterThan(0);
  });

  it('a GPT-2-tokenizer model vs stories260K (llama2.c tokenizer): aligned by characters, totals kept', async () => {
    const s = await resolveModel('stories260K');
    const gptTok = await loadGpt2Tokenizer(sharedDataPath('tokenizers/gpt2'));
    const gpt = randomModel(
      {
        model_name: 'gpt2-vocab-tiny',
        d_vocab: gptTok.vocabSize,
        n_ctx: 128,
        bos_token_id: gptTok.bosId,
        eos_token_id: gptTok.eosId,
        d_model: 32,
        d_head: 8,
      },
      { seed: 4 },
    );
    const a = await prepareDiffModel('gpt2-tokenizer-random', gpt, gptTok);
    const b = await prepareDiffModel('stories260K', s.model, s.tokenizer);
    const corpus = [...stories(3), 'Ünïcödé — “quotes” and émojis 🙂 too.'];
    const d = await computeBlackBoxDiff(a, b, corpus, {
      contextLength: 64,
      prompts: [],
      topK: 200,
      segmentsBefore: 100000,
      segmentsAfter: 100000,
    });
    expect(d.alignment.sameVocabulary).toBe(false);
    expect(d.alignment.method).toBe('characters');
    expect(d.alignment.documents.characters).toBe(corpus.length);
    expect(d.alignment.description).toMatch(/aligned by characters/);
    // A random model is far worse than the trained one almost everywhere.
    expect(d.lossA.natsPerCharacter).toBeGreaterThan(d.lossB.natsPerCharacter);
    expect(d.meanSegmentDiff).toBeGreaterThan(0);
    // The unicode document's segments cover its text exactly, and both models' tokens are all accounted for.
    const ctx = [...d.topForA, ...d.topForB].find((c) => c.document === corpus.length - 1)!;
    expect(ctx.segments.map((x) => x.text).join('')).toBe(corpus[corpus.length - 1]);
    expect(ctx.segments.reduce((n, x) => n + x.tokensA, 0)).toBe(gptTok.encode(corpus[corpus.length - 1]).length);
    expect(ctx.segments.reduce((n, x) => n + x.tokensB, 0)).toBe(s.tokenizer.encode(corpus[corpus.length - 1]).length);
  });

  it("greedy continuations reproduce llama2.c's expected stories260K output", async () => {
    const s = await resolveModel('stories260K');
    const a = await prepareDiffModel('stories260K', s.model, s.tokenizer, { weightProcessing: 'none' });
    const [pair] = await computeContinuations(a, a, [''], { maxNewTokens: 200 });
    const expected = fs.readFileSync(repoPath('data/models/stories260K/stories260K.expected.txt'), 'utf8');
    expect(pair.a.text.trim()).toBe(expected.trim());
    expect(pair.b).toEqual(pair.a);
  });
});
