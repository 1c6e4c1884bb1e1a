import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataPath, withoutSharedData } from '../../scripts/testing/shared-data';
import { readVocabTests } from '../testing/vocab-tests';
import { gpt2TokenizerJson, loadGpt2Tokenizer, parseMerges } from './gpt2-bpe';
import { HfTokenizer, loadHfTokenizer } from './hf';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-gpt2tok-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(withoutSharedData('tokenizers/gpt2'))('GPT-2 byte-level BPE (vocab.json + merges.txt)', () => {
  let dir = '';
  let tok: HfTokenizer;
  beforeAll(async () => {
    dir = sharedDataPath('tokenizers/gpt2');
    tok = await loadGpt2Tokenizer(dir);
  });

  it('"Hello world" → 15496 995; <|endoftext|> (50256) is BOS, EOS and the only special token', () => {
    expect(tok.vocabSize).toBe(50257);
    expect(tok.encode('Hello world')).toEqual([15496, 995]);
    expect(tok.encode('Hello world', { bos: true })).toEqual([50256, 15496, 995]);
    expect([tok.bosId, tok.eosId, [...tok.specialIds]]).toEqual([50256, 50256, [50256]]);
    expect(tok.piece(995)).toBe('Ġworld');
  });

  it("passes all 46 cases of llama.cpp's GPT-2 suite (ggml-vocab-gpt-2)", () => {
    const cases = readVocabTests(path.join(dir, 'tokenizer-tests'), 'ggml-vocab-gpt-2');
    expect(cases).toHaveLength(46);
    const failures = cases.filter(({ text, ids }) => tok.encode(text).join(' ') !== ids.join(' ')).map(({ text }) => text);
    expect(failures).toEqual([]);
  });

  it('decodes back to the exact text, bytes of split characters included', () => {
    for (const text of ['  leading spaces\n\n\ttabs', 'emoji 🦙 and accents éàü', '<|endoftext|> is text here', '']) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
    // A 4-byte emoji is split over byte tokens; decoding all of them restores it.
    expect(tok.encode('🦙').length).toBeGreaterThan(1);
  });

  it('the same vocabulary as a tokenizer.json folder (with a tokenizer_config naming BOS) encodes the same', async () => {
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8'));
    const merges = parseMerges(fs.readFileSync(path.join(dir, 'merges.txt'), 'utf8'), 'merges.txt');
    const folder = path.join(tmp, 'gpt2-json');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(gpt2TokenizerJson(vocab, merges)));
    fs.writeFileSync(
      path.join(folder, 'tokenizer_config.json'),
      JSON.stringify({ bos_token: '<|endoftext|>', eos_token: { content: '<|endoftext|>' } }),
    );
    const fromJson = await loadHfTokenizer(folder);
    const text = "The quick brown fox's 3 jumps—over 12,000 lazy dogs!";
    expect(fromJson.encode(text, { bos: true })).toEqual(tok.encode(text, { bos: true }));
    expect(fromJson.bosId).toBe(50256);
  });
});

describe('Hugging Face tokenizer.json on a hand-built vocabulary (known answer)', () => {
  it('applies merges best-first: "aab" → [aa, b]; "ab ab" → [ab, Ġab], or [ab, Ġ, ab] when "a b" outranks "Ġ a"', () => {
    const bytes = ['a', 'b', 'Ġ'];
    const vocab: Record<string, number> = { '<|endoftext|>': 0 };
    for (const b of bytes) vocab[b] = Object.keys(vocab).length;
    for (const m of ['aa', 'ab', 'Ġa', 'Ġab']) vocab[m] = Object.keys(vocab).length;
    const tok = new HfTokenizer(gpt2TokenizerJson(vocab, ['a a', 'Ġ a', 'a b', 'Ġa b']));
    expect(tok.encode('aab')).toEqual([vocab.aa, vocab.b]);
    expect(tok.encode('ab ab')).toEqual([vocab.ab, vocab['Ġab']]);
    expect(tok.decode([vocab.ab, vocab['Ġab']])).toBe('ab ab');
    const other = new HfTokenizer(gpt2TokenizerJson(vocab, ['a a', 'a b', 'Ġ a', 'Ġa b']));
    expect(other.encode('ab ab')).toEqual([vocab.ab, vocab['Ġ'], vocab.ab]);
  });

  it('explains unreadable files', async () => {
    expect(() => parseMerges('#version: 0.2\na b c\n', 'm.txt')).toThrow(/m.txt: merge 1 "a b c" is not two tokens/);
    await expect(loadGpt2Tokenizer(tmp)).rejects.toThrow(/vocab.json: cannot read a GPT-2 vocabulary/);
    await expect(loadHfTokenizer(tmp)).rejects.toThrow(/tokenizer.json: cannot read \(ENOENT\)/);
    expect(() => new HfTokenizer({ version: '1.0' }, { source: 'x.json' })).toThrow(/x.json: not a Hugging Face tokenizer.json/);
  });
});
