import type { Tokenizer } from '../tokenizers/types';

/**
 * Where each token of a tokenization ends in the text, counted in non-whitespace characters (code points).
 * Whitespace is left out of the coordinates on purpose: tokenizers disagree on it (llama2.c's dummy-prefix space,
 * SentencePiece collapsing runs of spaces, GPT-2's leading spaces) while they agree on every other character, so
 * counting only the rest lets two tokenizations of one text be aligned by characters.
 *
 * Tokens are decoded one by one (O(n)); a token that ends inside a multi-byte character (byte-level BPE, byte
 * fallback) decodes to U+FFFD alone, so it is decoded together with the next ones (≤ 4 tokens, a UTF-8 character's
 * length) and the group's characters are credited to its last token.
 */
export interface TokenSpans {
  /** Per token: non-whitespace characters decoded up to and including it (non-decreasing). */
  nonWsEnd: Int32Array;
  /** Per token: its decoded text ('' for all but the last token of a group that splits a character). */
  texts: string[];
  /** The non-whitespace characters of the whole decoding, in order. */
  nonWs: string;
  /** False when the per-token decodings do not add up to the decoding of all tokens (then only whole-document alignment is safe). */
  consistent: boolean;
}

const WHITESPACE = /\s/u;

export function stripWhitespace(text: string): string {
  let out = '';
  for (const ch of text) if (!WHITESPACE.test(ch)) out += ch;
  return out;
}

export function tokenSpans(tokenizer: Tokenizer, ids: readonly number[]): TokenSpans {
  const n = ids.length;
  const nonWsEnd = new Int32Array(n);
  const texts: string[] = new Array(n).fill('');
  const parts: string[] = [];
  let count = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const text = tokenizer.decode(ids.slice(start, i + 1) as number[]);
    const partial = text.includes('\uFFFD') && i - start < 3 && i + 1 < n;
    if (partial) {
      nonWsEnd[i] = count;
      continue;
    }
    texts[i] = text;
    const stripped = stripWhitespace(text);
    parts.push(stripped);
    count += [...stripped].length;
    nonWsEnd[i] = count;
    start = i + 1;
  }
  const nonWs = parts.join('');
  return { nonWsEnd, texts, nonWs, consistent: nonWs === stripWhitespace(tokenizer.decode(ids as number[])) };
}

/**
 * For a display text whose non-whitespace characters are `nonWs`: the UTF-16 index where the k-th (0-based)
 * non-whitespace character starts, for k = 0..count (k = count: the text's length). A segment that ends after k
 * non-whitespace characters ends at index k (its trailing whitespace included). Null when the text's characters differ.
 */
export function nonWsIndex(text: string, nonWs: string): Int32Array | null {
  const index: number[] = [];
  let stripped = '';
  let offset = 0;
  for (const ch of text) {
    if (!WHITESPACE.test(ch)) {
      index.push(offset);
      stripped += ch;
    }
    offset += ch.length;
  }
  if (stripped !== nonWs) return null;
  index.push(text.length);
  return Int32Array.from(index);
}
