import type { Tokenizer } from '../../tokenizers/types';
import type { PromptPair } from '../types';

/**
 * Single-token words as a tokenizer writes them in running text: the word after a space (" Mary" in byte-level
 * BPE) or, for tokenizers with a dummy prefix ("▁Mary"), the word alone. Task generators use only such words and
 * report the others, so a task never silently measures a different word split in two. A word the tokenizer maps
 * to its unknown token ([UNK], <unk>) is one id but not the word: every unknown word would share it (a task would
 * compare [UNK] with [UNK]), so it is rejected — as is any special token or an id that does not decode to the word.
 */
export function singleToken(tokenizer: Tokenizer, word: string): number | null {
  const r = tokenOfWord(tokenizer, word);
  return typeof r === 'number' ? r : null;
}

/** Why a word is not usable as one token, in words for task reports ("is the unknown token [UNK]"), or null. */
export function singleTokenProblem(tokenizer: Tokenizer, word: string): string | null {
  const r = tokenOfWord(tokenizer, word);
  return typeof r === 'number' ? null : r;
}

function tokenOfWord(tokenizer: Tokenizer, word: string): number | string {
  let problem = 'is not one token';
  for (const text of [` ${word}`, word]) {
    let id: number | undefined;
    try {
      const ids = tokenizer.encode(text);
      if (ids.length === 1) id = ids[0];
      // A dummy-prefix tokenizer may split off a lone "▁": the word's own token is the second.
      else if (ids.length === 2 && /^[▁ Ġ]$/.test(tokenizer.piece(ids[0]))) id = ids[1];
    } catch {
      // An unknown character for this tokenizer: not a single token.
    }
    if (id === undefined) continue;
    if (!isWordToken(tokenizer, id, word)) {
      problem = `is the tokenizer's unknown or special token ${tokenizer.piece(id)}`;
      continue;
    }
    return id;
  }
  return problem;
}

/**
 * The id is the word's own token: not a special / unknown token, and it decodes back to the word (spaces and case
 * aside: a lowercasing tokenizer still keeps the word).
 */
export function isWordToken(tokenizer: Tokenizer, id: number, word: string): boolean {
  if (tokenizer.specialIds.has(id)) return false;
  let text: string;
  try {
    text = tokenizer.decode([id]);
  } catch {
    return false;
  }
  return text.trim().toLowerCase() === word.trim().toLowerCase();
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
  // A word the tokenizer does not know became its unknown token (or a special token): the prompt is not the text.
  const special = [...clean.slice(1), ...corrupted.slice(1)].find((id) => tokenizer.specialIds.has(id));
  if (special !== undefined) return `a word is the tokenizer's unknown or special token ${tokenizer.piece(special)}`;
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
