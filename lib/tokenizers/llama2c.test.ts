import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath, sharedDataPath, withoutSharedData } from '../../scripts/testing/shared-data';
import { Llama2cTokenizer, loadLlama2cTokenizer } from './llama2c';

const TOK512 = repoPath('data/models/stories260K/tok512.bin');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-tok-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** llama.cpp's test format: cases separated by a marker line in .inp, one line of ids per case in .out. */
function readVocabTests(dir: string, name: string): Array<{ text: string; ids: number[] }> {
  const marker = '\n__ggml_vocab_test__\n';
  const inputs = fs.readFileSync(path.join(dir, `${name}.inp`), 'utf8').split(marker);
  if (inputs[inputs.length - 1] === '') inputs.pop(); // the file ends with a marker
  const outputs = fs.readFileSync(path.join(dir, `${name}.out`), 'utf8').split('\n');
  if (outputs[outputs.length - 1] === '') outputs.pop();
  expect(outputs.length).toBe(inputs.length);
  return inputs.map((text, i) => ({ text, ids: outputs[i].trim() === '' ? [] : outputs[i].trim().split(/\s+/).map(Number) }));
}

/** A literal port of llama2.c's encode() (run.c), quadratic merge loop and all, over an independent file parse. */
function naiveLlama2cEncode(file: string, text: string): number[] {
  const bytes = fs.readFileSync(file);
  const vocab: string[] = [];
  const scores: number[] = [];
  for (let off = 4; off < bytes.length;) {
    scores.push(bytes.readFloatLE(off));
    const len = bytes.readInt32LE(off + 4);
    vocab.push(bytes.subarray(off + 8, off + 8 + len).toString('utf8'));
    off += 8 + len;
  }
  const lookup = new Map(vocab.map((p, i) => [p, i]));
  const tokens: number[] = [];
  if (text !== '') tokens.push(lookup.get(' ')!);
  for (const ch of text) {
    const id = lookup.get(ch);
    if (id !== undefined) tokens.push(id);
    else for (const b of Buffer.from(ch, 'utf8')) tokens.push(b + 3);
  }
  for (;;) {
    let bestScore = -1e10,
      bestId = -1,
      bestIdx = -1;
    for (let i = 0; i < tokens.length - 1; i++) {
      const id = lookup.get(vocab[tokens[i]] + vocab[tokens[i + 1]]);
      if (id !== undefined && scores[id] > bestScore) {
        bestScore = scores[id];
        bestId = id;
        bestIdx = i;
      }
    }
    if (bestIdx === -1) break;
    tokens.splice(bestIdx, 2, bestId);
  }
  return tokens;
}

const LLAMA2_DATA = ['tokenizers/llama2', 'corpora/tinyshakespeare', 'corpora/wikitext-2-raw', 'corpora/python-stdlib'];

describe.skipIf(withoutSharedData(...LLAMA2_DATA))('llama2.c tokenizer with the Llama-2 32000-token vocabulary', () => {
  let dir = '';
  beforeAll(() => {
    dir = sharedDataPath('tokenizers/llama2');
  });

  it("encodes llama2.c's published example", async () => {
    const tok = await loadLlama2cTokenizer(path.join(dir, 'tokenizer.bin'));
    expect(tok.vocabSize).toBe(32000);
    expect(tok.encode('I believe the meaning of life is', { bos: true })).toEqual([1, 306, 4658, 278, 6593, 310, 2834, 338]);
  });

  it("passes all 46 cases of llama.cpp's SentencePiece suite (ggml-vocab-llama-spm)", async () => {
    const tok = await loadLlama2cTokenizer(path.join(dir, 'tokenizer.bin'));
    const cases = readVocabTests(path.join(dir, 'tokenizer-tests'), 'ggml-vocab-llama-spm');
    expect(cases).toHaveLength(46);
    const failures = cases.filter(({ text, ids }) => tok.encode(text).join(' ') !== ids.join(' ')).map(({ text }) => text);
    expect(failures).toEqual([]);
    // Llama-2's SentencePiece model keeps runs of spaces (remove_extra_whitespaces: false), so collapsing
    // spaces is wrong for it: exactly the 16 cases with a leading space or a run of spaces then differ.
    const collapsing = await loadLlama2cTokenizer(path.join(dir, 'tokenizer.bin'), { collapseSpaces: true });
    const differ = cases.filter(({ text, ids }) => collapsing.encode(text).join(' ') !== ids.join(' ')).map(({ text }) => text);
    expect(differ).toHaveLength(16);
    expect(differ.every((text) => text.startsWith(' ') || text.includes('  '))).toBe(true);
  });

  it('its heap-ordered merges equal llama2.c quadratic loop on real text', async () => {
    const tok = await loadLlama2cTokenizer(path.join(dir, 'tokenizer.bin'));
    const file = path.join(dir, 'tokenizer.bin');
    for (const text of [
      fs.readFileSync(sharedDataPath('corpora/tinyshakespeare/input.txt'), 'utf8').slice(0, 1500),
      fs.readFileSync(sharedDataPath('corpora/wikitext-2-raw/wiki.test.raw'), 'utf8').slice(3000, 4500),
      JSON.parse(fs.readFileSync(sharedDataPath('corpora/python-stdlib/python311_stdlib.jsonl'), 'utf8').split('\n')[0]).text.slice(
        0,
        1500,
      ),
    ]) {
      expect(tok.encode(text)).toEqual(naiveLlama2cEncode(file, text));
    }
  });
});

describe('llama2.c tokenizer with tok512 (stories260K and the project models)', () => {
  it('encodes the reference prompt of the project models and shows SentencePiece pieces', async () => {
    const tok = await loadLlama2cTokenizer(TOK512);
    expect(tok.vocabSize).toBe(512);
    expect([tok.bosId, tok.eosId]).toEqual([1, 2]);
    expect([...tok.specialIds].sort()).toEqual([0, 1, 2]);
    const ids = tok.encode('Once upon a time, there was a little dog named Max. Max', { bos: true });
    // attn-only-2l/reference.json token_ids
    expect(ids).toEqual([1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 400, 428, 395, 392, 412, 444, 426, 392, 412, 444]);
    expect(ids.map((id) => tok.piece(id)).slice(0, 6)).toEqual(['<s>', '▁Once', '▁upon', '▁a', '▁time', ',']);
    expect([tok.piece(0), tok.piece(2), tok.piece(13), tok.piece(410)]).toEqual(['<unk>', '</s>', '<0x0A>', '▁']);
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode('', { bos: true })).toEqual([1]);
  });

  it('agrees with the literal llama2.c loop on the bundled TinyStories sample, quickly', async () => {
    const tok = await loadLlama2cTokenizer(TOK512);
    const corpus = fs.readFileSync(repoPath('data/corpora/tinystories-sample.txt'), 'utf8');
    const paragraphs = corpus.split('\n\n').slice(0, 20);
    for (const p of paragraphs) expect(tok.encode(p)).toEqual(naiveLlama2cEncode(TOK512, p));
    const started = performance.now();
    const ids = tok.encode(corpus);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(ids.length).toBeGreaterThan(25_000);
    expect(tok.decode([1, ...ids])).toBe(corpus);
  });

  it('round-trips odd Unicode, control characters and markup through byte fallback', async () => {
    const tok = await loadLlama2cTokenizer(TOK512);
    const texts = [
      '🦙🚀 emoji, 😶‍🌫️ joined by ZWJ',
      '\u200Fשלום\u202E RTL marks and Hebrew',
      'control \u0001\u0007\u001B[0m\t\r\n and NUL \u0000 in the middle',
      "<script>alert('x')</script> & <0x41> <unk> <s>",
      'e\u0301 (combining) vs é, 日本語, ½',
      '   leading, double  and trailing spaces   ',
      '\n\nnewlines first',
    ];
    for (const text of texts) {
      const ids = tok.encode(text, { bos: true });
      expect(tok.decode(ids), JSON.stringify(text)).toBe(text);
      expect(ids.every((id) => id >= 0 && id < 512)).toBe(true);
    }
    // The literal "<0x41>" stays text: it is not the byte piece for "A".
    expect(tok.encode('<0x41>')).not.toContain(0x41 + 3);
    // A lone surrogate is not text; like any UTF-8 encoder it becomes U+FFFD.
    expect(tok.decode(tok.encode('a\uD800b', { bos: true }))).toBe('a\uFFFDb');
    // Byte pieces: 🦙 has no piece, so its four UTF-8 bytes are ids byte + 3.
    expect(tok.encode('🦙')).toEqual([410, 0xf0 + 3, 0x9f + 3, 0xa6 + 3, 0x99 + 3]);
  });

  it('decodes as llama2.c: only the piece right after BOS loses its leading space', async () => {
    const tok = await loadLlama2cTokenizer(TOK512);
    expect(tok.decode([403, 407])).toBe(' Once upon');
    expect(tok.decode([1, 403, 407])).toBe('Once upon');
    expect(tok.decode([1, 403, 1, 407, 2])).toBe('Onceupon');
    expect(tok.decode([1, 0x20 + 3, 403])).toBe('  Once'); // a byte-piece space is a real character
    expect(() => tok.decode([5, 512])).toThrow(/decode: id 512 at index 1 is not in 0..511/);
    expect(() => tok.piece(-1)).toThrow(/piece: id -1/);
  });

  it('collapseSpaces reproduces SentencePiece remove_extra_whitespaces (spaces only; newlines stay)', async () => {
    const plain = await loadLlama2cTokenizer(TOK512);
    const collapsing = await loadLlama2cTokenizer(TOK512, { collapseSpaces: true });
    expect(collapsing.collapseSpaces).toBe(true);
    expect(collapsing.encode('   Once   upon  a time   ')).toEqual(plain.encode('Once upon a time'));
    expect(collapsing.encode('a  \n\n  b')).toEqual(plain.encode('a \n\n b'));
    expect(collapsing.encode('   ')).toEqual([]);
    expect(plain.encode('   ')).toEqual([410, 410, 410, 410]); // llama2.c keeps every space
    expect(collapsing.encode('Once upon a time')).toEqual(plain.encode('Once upon a time'));
  });
});

describe('tokenizer.bin validation', () => {
  it('names the file and the broken token', async () => {
    const bytes = fs.readFileSync(TOK512);
    const truncated = path.join(tmp, 'truncated.bin');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 3));
    await expect(loadLlama2cTokenizer(truncated)).rejects.toThrow(`${truncated}: truncated inside token 511`);
    expect(() => Llama2cTokenizer.fromBytes(new Uint8Array([0, 0, 0, 0]), 'zero.bin')).toThrow(
      /zero.bin: not a llama2.c tokenizer: max_token_length 0/,
    );
    expect(() => Llama2cTokenizer.fromBytes(bytes.subarray(0, 300), 'short.bin')).toThrow(/short.bin: truncated/);
    const firstTokens = Buffer.from(bytes.subarray(0, 4 + 3 * 8 + 5 + 5 + 6));
    expect(() => Llama2cTokenizer.fromBytes(firstTokens, 'few.bin')).toThrow(/few.bin: only 3 tokens/);
  });
});
