import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../models/registry';
import { loadModelFolder } from '../models/load-folder';
import { loadGpt2Tokenizer } from '../tokenizers/gpt2-bpe';
import { randomModel } from '../engine/random-model';
import { sharedDataPath, withoutSharedData, repoPath } from '../../scripts/testing/shared-data';
import { prepareDiffModel } from './model';
import { computeBlackBoxDiff, computeWhiteBoxDiff } from './index';
import { copyModel, removeHeadOutput } from '../testing/diff-fixtures';
import { directLogitAttribution } from '../metrics/heads/direct-logit-attribution';
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
    const corpus = [...stories(3), 'Hostile:\u0000 NUL, \u202Ebidi\u202C, tabs\t\tand Ünïcödé — “quotes” and émojis 🙂 too.'];
    const d = await computeBlackBoxDiff(a, b, corpus, {
      contextLength: 64,
      prompts: [],
      topK: 200,
      segmentsBefore: 1000,
      segmentsAfter: 1000,
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

describe('white-box diff of a real checkpoint (stories260K: rotary, grouped-query attention, RMSNorm, SwiGLU)', () => {
  it('a copy with one head removed: the head tops W_O and hook_result; a copy gives exactly zero; DLA equals the metric', async () => {
    const s = await resolveModel('stories260K');
    const corpus = stories(4);
    const a = await prepareDiffModel('stories260K', s.model, s.tokenizer);
    const same = await prepareDiffModel('copy', copyModel(s.model), s.tokenizer);
    const zero = await computeWhiteBoxDiff(a, same, corpus, { contextLength: 64, headMetrics: false });
    expect(zero.weights.relative).toBe(0);
    for (const r of zero.activations) expect(r.identical, r.site).toBe(r.units);
    for (const e of zero.dla.entries) expect(e.diff).toBe(0);

    const b = await prepareDiffModel('without L3H5', removeHeadOutput(s.model, 3, 5), s.tokenizer);
    const d = await computeWhiteBoxDiff(a, b, corpus, { contextLength: 64, headMetrics: ['previous_token'], patchingText: corpus[0] });
    expect(d.weights.rankings.find((r) => r.kind === 'W_O')!.top[0]).toMatchObject({ layer: 3, index: 5, relative: 1 });
    expect(d.activations.find((r) => r.site === 'attn.hook_result')!.top[0]).toMatchObject({ layer: 3, index: 5, meanNormB: 0 });
    // Attention before layer 3 and every head of layer 3 attend exactly as before: only later layers' patterns move.
    expect(
      d.activations
        .find((r) => r.site === 'attn.hook_pattern')!
        .top.filter((e) => e.meanDiff > 0)
        .every((e) => e.layer > 3),
    ).toBe(true);
    const windows = corpus.flatMap((t) => {
      const ids = s.tokenizer.encode(t);
      const out: number[][] = [];
      for (let i = 0; i < ids.length; i += 63) out.push([s.tokenizer.bosId, ...ids.slice(i, i + 63)]);
      return out;
    });
    const metric = await directLogitAttribution(a.runner, a.model.cfg, a.model.weights, windows);
    for (const e of d.dla.entries.filter((x) => x.component === 'head')) expect(e.dlaA).toBeCloseTo(metric[e.layer][e.head!], 4);
    expect(d.patching!.components.length).toBe(5 * 9);
    expect(d.headMetrics!.metrics[0].id).toBe('previous_token');
  });
});
