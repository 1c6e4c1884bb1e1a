import fs from 'node:fs/promises';
import path from 'node:path';
import { HfTokenizer } from './hf';

/**
 * GPT-2's byte-level BPE from the original `vocab.json` + `merges.txt` (GPT-2, GPT-Neo, many GPT-2-derived
 * models): the files are turned into the `tokenizer.json` that transformers' GPT2TokenizerFast would save
 * (ByteLevel pre-tokenizer with GPT-2's split regex, no prefix space, BPE without unknown token) and run by
 * @huggingface/tokenizers. `<|endoftext|>` (50256 in GPT-2) is BOS, EOS and the only special token.
 */
export const GPT2_END_OF_TEXT = '<|endoftext|>';

export function gpt2TokenizerJson(vocab: Record<string, number>, merges: string[]): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const endOfText = vocab[GPT2_END_OF_TEXT];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens:
      endOfText === undefined
        ? []
        : [{ id: endOfText, content: GPT2_END_OF_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** merges.txt: an optional `#version` line, then one "left right" pair per line, best first. */
export function parseMerges(text: string, file: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const merges = lines.filter((l, i) => l !== '' && !(i === 0 && l.startsWith('#version')));
  merges.forEach((m, i) => {
    if (m.split(' ').length !== 2) throw new Error(`${file}: merge ${i + 1} ${JSON.stringify(m)} is not two tokens separated by one space`);
  });
  return merges;
}

export async function loadGpt2Tokenizer(dir: string): Promise<HfTokenizer> {
  const vocabFile = path.join(dir, 'vocab.json');
  const mergesFile = path.join(dir, 'merges.txt');
  let vocab: Record<string, number>;
  try {
    vocab = JSON.parse(await fs.readFile(vocabFile, 'utf8'));
  } catch (e) {
    throw new Error(`${vocabFile}: cannot read a GPT-2 vocabulary (${(e as Error).message})`, { cause: e });
  }
  const merges = parseMerges(
    await fs.readFile(mergesFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`${mergesFile}: cannot read (${e.code ?? e.message})`);
    }),
    mergesFile,
  );
  return new HfTokenizer(gpt2TokenizerJson(vocab, merges), { source: vocabFile });
}
