import type { AlignedSegment, AlignmentMethod } from './types';
import { nonWsIndex, type TokenSpans } from './token-spans';

/** One model's view of a document: its token ids, where they end, and the log-prob of each token. */
export interface ScoredTokens {
  ids: readonly number[];
  spans: TokenSpans;
  logProbs: Float64Array;
}

export interface DocumentAlignment {
  method: AlignmentMethod;
  /** The text segments' offsets refer to: the document when its characters match the decodings, else A's decoding. */
  displayText: string;
  segments: AlignedSegment[];
  /** Per token of A (resp. B), the index of its segment. */
  segmentOfA: Int32Array;
  segmentOfB: Int32Array;
}

/**
 * Puts two models' log-probs of one document side by side (lib/diff/types.ts AlignmentMethod says how):
 * `tokens` when both tokenizations are the same ids, `characters` when their non-whitespace characters agree,
 * else `document` (one segment). `decodedA`: A's decoding of its ids (the display text when the document's own
 * characters differ from it).
 */
export function alignDocument(
  document: string,
  decodedA: string,
  a: ScoredTokens,
  b: ScoredTokens,
  vocabulariesMatch: boolean,
): DocumentAlignment {
  const sameIds = vocabulariesMatch && a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]);
  const charsAgree = a.spans.consistent && b.spans.consistent && a.spans.nonWs === b.spans.nonWs;
  let displayText = document;
  let index = charsAgree || sameIds ? nonWsIndex(document, a.spans.nonWs) : null;
  if (index === null && (charsAgree || sameIds)) {
    displayText = decodedA;
    index = nonWsIndex(decodedA, a.spans.nonWs);
  }
  if (sameIds && index) return byTokens(displayText, index, a, b);
  if (charsAgree && index) return byCharacters(displayText, index, a, b);
  return wholeDocument(decodedA, a, b);
}

function sum(values: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i];
  return s;
}

function byTokens(text: string, index: Int32Array, a: ScoredTokens, b: ScoredTokens): DocumentAlignment {
  const n = a.ids.length;
  const segments: AlignedSegment[] = [];
  let charStart = 0;
  for (let i = 0; i < n; i++) {
    // A token covers its own decoded text where the display text has it there (leading spaces included, so
    // " cat" reads as one segment); else (a dropped dummy-prefix space, normalised text) up to its last character.
    const piece = a.spans.texts[i];
    const trimmed = piece.trimStart();
    let charEnd: number;
    if (text.startsWith(piece, charStart)) charEnd = charStart + piece.length;
    else if (charStart === 0 && text.startsWith(trimmed, 0)) charEnd = trimmed.length;
    else charEnd = Math.max(charStart, i === n - 1 ? text.length : index[a.spans.nonWsEnd[i]]);
    if (i === n - 1) charEnd = text.length;
    segments.push({
      charStart,
      charEnd,
      text: text.slice(charStart, charEnd),
      logProbA: a.logProbs[i],
      logProbB: b.logProbs[i],
      tokensA: 1,
      tokensB: 1,
    });
    charStart = charEnd;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return { method: 'tokens', displayText: text, segments, segmentOfA: order, segmentOfB: order };
}

/**
 * Segment boundaries: the non-whitespace counts at which both tokenizations end a token. Each model's segment
 * log-prob sums its tokens ending after the previous boundary and at or before this one.
 */
function byCharacters(text: string, index: Int32Array, a: ScoredTokens, b: ScoredTokens): DocumentAlignment {
  const endsB = new Set(b.spans.nonWsEnd);
  const total = a.spans.nonWs.length === 0 ? 0 : [...a.spans.nonWs].length;
  const boundaries = [...new Set(a.spans.nonWsEnd)].filter((e) => e > 0 && endsB.has(e)).sort((x, y) => x - y);
  if (boundaries.length === 0 || boundaries[boundaries.length - 1] !== total) boundaries.push(total);
  const segmentOfA = new Int32Array(a.ids.length);
  const segmentOfB = new Int32Array(b.ids.length);
  const segments: AlignedSegment[] = [];
  let ia = 0;
  let ib = 0;
  let charStart = 0;
  boundaries.forEach((boundary, s) => {
    const last = s === boundaries.length - 1;
    const fromA = ia;
    const fromB = ib;
    while (ia < a.ids.length && (last || a.spans.nonWsEnd[ia] <= boundary)) segmentOfA[ia++] = s;
    while (ib < b.ids.length && (last || b.spans.nonWsEnd[ib] <= boundary)) segmentOfB[ib++] = s;
    const charEnd = last ? text.length : index[boundary];
    segments.push({
      charStart,
      charEnd,
      text: text.slice(charStart, charEnd),
      logProbA: sum(a.logProbs, fromA, ia),
      logProbB: sum(b.logProbs, fromB, ib),
      tokensA: ia - fromA,
      tokensB: ib - fromB,
    });
    charStart = charEnd;
  });
  return { method: 'characters', displayText: text, segments, segmentOfA, segmentOfB };
}

function wholeDocument(text: string, a: ScoredTokens, b: ScoredTokens): DocumentAlignment {
  return {
    method: 'document',
    displayText: text,
    segments: [
      {
        charStart: 0,
        charEnd: text.length,
        text,
        logProbA: sum(a.logProbs, 0, a.ids.length),
        logProbB: sum(b.logProbs, 0, b.ids.length),
        tokensA: a.ids.length,
        tokensB: b.ids.length,
      },
    ],
    segmentOfA: new Int32Array(a.ids.length),
    segmentOfB: new Int32Array(b.ids.length),
  };
}

/** Words for AlignmentSummary.description. */
export function describeAlignment(documents: Record<AlignmentMethod, number>, sameVocab: boolean): string {
  const total = documents.tokens + documents.characters + documents.document;
  const parts: string[] = [];
  if (documents.tokens > 0)
    parts.push(`${documents.tokens} of ${total} documents tokenized identically by both models: compared token by token (exact)`);
  if (documents.characters > 0)
    parts.push(
      `${documents.characters} of ${total} documents tokenized differently${sameVocab ? ' (same vocabulary, different encoding, e.g. spaces)' : ''}: ` +
        'aligned by characters — each token mapped to the characters it decodes to; a segment ends where both tokenizations end a token at the same ' +
        'non-whitespace character, and each model’s log-probs are summed over its tokens in the segment (whitespace ignored for alignment)',
    );
  if (documents.document > 0)
    parts.push(`${documents.document} of ${total} documents decoded to different characters: compared as whole documents only`);
  return parts.length === 0 ? 'No documents were compared.' : parts.join('; ') + '.';
}
