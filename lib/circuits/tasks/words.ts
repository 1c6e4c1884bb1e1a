import type { Tokenizer } from '../../tokenizers/types';
import type { PromptPair } from '../types';

/**
 * Single-token words as a tokenizer writes them in running text: the word after a space (" Mary" in byte-level
 * BPE) or, for tokenizers with a dummy prefix ("▁Mary"), the word alone. Task generators use only such words and
 * report the others, so a task never silently measures a different word split in two.
 */
export function singleToken(tokenizer: Tokenizer, word: string): number | null {
  for (const text of [` ${word}`, word]) {
    try {
      const ids = tokenizer.encode(text);
      if (ids.length === 1) return ids[0];
      // A dummy-prefix tokenizer may split off a lone "▁": the word's own token is the second.
      if (ids.length === 2 && /^[▁ Ġ]$/.test(tokenizer.piece(ids[0]))) return ids[1];
    } catch {
      // An unknown character for this tokenizer: not a single token.
    }
  }
  return null;
}

/** A prompt pair from two texts of the same token length, or the reason it cannot be one. */
export function pairFromTexts(
  tokenizer: Tokenizer,
  cleanText: string,
  corruptedText: string,
  answer: number,
  wrong: number,
  positions: (clean: number[], corrupted: number[]) => Record<string, number[]> | null,
): PromptPair | string {
  let clean: number[];
  let corrupted: number[];
  try {
    clean = tokenizer.encode(cleanText, { bos: true });
    corrupted = tokenizer.encode(corruptedText, { bos: true });
  } catch (e) {
    return `cannot tokenize: ${(e as Error).message}`;
  }
  if (clean.length !== corrupted.length) return `clean and corrupted differ in length (${clean.length} vs ${corrupted.length} tokens)`;
  const named = positions(clean, corrupted);
  if (named === null) return 'a named word is not where the template puts it (merged with a neighbour)';
  return { clean, corrupted, answer, wrong, positions: { ...named, END: [clean.length - 1] }, cleanText, corruptedText };
}

/** Positions of a token id in a sequence. */
export function positionsOf(ids: number[], id: number): number[] {
  const out: number[] = [];
  ids.forEach((t, i) => {
    if (t === id) out.push(i);
  });
  return out;
}
