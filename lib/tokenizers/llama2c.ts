import fs from 'node:fs/promises';
import type { Tokenizer } from './types';

/**
 * llama2.c's tokenizer (`tokenizer.bin`, `tok512.bin`): int32 max_token_length, then per token
 * float32 score, int32 byte length, the piece's bytes. Pieces use ' ' where SentencePiece shows '▁';
 * 0 `<unk>`, 1 BOS, 2 EOS (stored as "\n<s>\n", "\n</s>\n"), then byte pieces `<0x00>`..`<0xFF>`.
 *
 * encode() reproduces llama2.c's `encode()` (run.c) id for id: a dummy-prefix " " when the text is
 * non-empty, one piece per UTF-8 codepoint with byte fallback (byte + 3), then repeatedly merging the
 * adjacent pair whose concatenation is the best-scoring piece (leftmost on ties). The merge order is
 * the same as llama2.c's quadratic loop; a heap makes it fast on long documents.
 * Two deliberate departures from the C code, both for text it cannot see: a NUL character is encoded
 * (as byte piece <0x00>) instead of ending the text, and a missing " " piece falls back to its byte.
 *
 * `collapseSpaces` applies SentencePiece's `remove_extra_whitespaces` first (runs of ' ' become one,
 * leading and trailing ' ' go), as tok512.model does; the models trained for this project saw text
 * encoded that way. llama2.c itself and the Llama-2 tokenizer keep every space.
 */
export interface Llama2cTokenizerOptions {
  collapseSpaces?: boolean;
}

const UNK_ID = 0;
const BOS_ID = 1;
const EOS_ID = 2;
const BYTE_OFFSET = 3;
/** llama2.c starts its best score at -1e10: pieces scored at or below it never merge. */
const NO_MERGE_SCORE = -1e10;
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

export async function loadLlama2cTokenizer(file: string, opts: Llama2cTokenizerOptions = {}): Promise<Llama2cTokenizer> {
  return Llama2cTokenizer.fromBytes(await fs.readFile(file), file, opts);
}

export class Llama2cTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId = BOS_ID;
  readonly eosId = EOS_ID;
  readonly specialIds: ReadonlySet<number> = new Set([UNK_ID, BOS_ID, EOS_ID]);
  readonly collapseSpaces: boolean;
  private readonly pieces: string[];
  private readonly scores: Float32Array;
  private readonly idOf: Map<string, number>;
  /** Bytes each id decodes to (byte pieces → their byte). */
  private readonly pieceBytes: Uint8Array[];

  private constructor(pieces: string[], scores: Float32Array, opts: Llama2cTokenizerOptions) {
    this.pieces = pieces;
    this.scores = scores;
    this.vocabSize = pieces.length;
    this.collapseSpaces = opts.collapseSpaces ?? false;
    this.idOf = new Map();
    // First occurrence wins, should a vocabulary ever repeat a piece.
    pieces.forEach((p, id) => {
      if (!this.idOf.has(p)) this.idOf.set(p, id);
    });
    const utf8 = new TextEncoder();
    this.pieceBytes = pieces.map((p) => {
      const byte = BYTE_PIECE.exec(p);
      return byte ? Uint8Array.of(parseInt(byte[1], 16)) : utf8.encode(p);
    });
  }

  static fromBytes(bytes: Uint8Array, file: string, opts: Llama2cTokenizerOptions = {}): Llama2cTokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 4) throw new Error(`${file}: not a llama2.c tokenizer (${bytes.byteLength} bytes, no header)`);
    const maxTokenLength = view.getInt32(0, true);
    if (maxTokenLength <= 0 || maxTokenLength > 1 << 16) {
      throw new Error(`${file}: not a llama2.c tokenizer: max_token_length ${maxTokenLength} is not in 1..65536`);
    }
    const pieces: string[] = [];
    const scores: number[] = [];
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    let offset = 4;
    while (offset < bytes.byteLength) {
      const id = pieces.length;
      if (offset + 8 > bytes.byteLength)
        throw new Error(`${file}: truncated at token ${id} (byte ${offset} of ${bytes.byteLength}): no room for its score and length`);
      const score = view.getFloat32(offset, true);
      const length = view.getInt32(offset + 4, true);
      offset += 8;
      if (length < 0 || length > maxTokenLength)
        throw new Error(`${file}: token ${id} has length ${length}, outside 0..max_token_length ${maxTokenLength}`);
      if (offset + length > bytes.byteLength)
        throw new Error(`${file}: truncated inside token ${id}: needs ${length} bytes at byte ${offset}, file has ${bytes.byteLength}`);
      let piece: string;
      try {
        piece = utf8.decode(bytes.subarray(offset, offset + length));
      } catch {
        throw new Error(`${file}: token ${id} is not valid UTF-8`);
      }
      pieces.push(piece);
      scores.push(score);
      offset += length;
    }
    if (pieces.length < BYTE_OFFSET + 256) {
      throw new Error(`${file}: only ${pieces.length} tokens; a llama2.c vocabulary has <unk>, BOS, EOS and 256 byte pieces first`);
    }
    for (let b = 0; b < 256; b++) {
      const expected = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      if (pieces[BYTE_OFFSET + b] !== expected) {
        throw new Error(`${file}: token ${BYTE_OFFSET + b} is ${JSON.stringify(pieces[BYTE_OFFSET + b])}, expected byte piece ${expected}`);
      }
    }
    return new Llama2cTokenizer(pieces, Float32Array.from(scores), opts);
  }

  encode(text: string, opts: { bos?: boolean } = {}): number[] {
    if (typeof text !== 'string') throw new Error(`encode: text must be a string, got ${typeof text}`);
    if (this.collapseSpaces) text = text.replace(/ {2,}/g, ' ').replace(/^ +| +$/g, '');
    const ids: number[] = [];
    if (opts.bos) ids.push(BOS_ID);
    if (text.length > 0) ids.push(...this.codepointIds(' '));
    for (const codepoint of text) ids.push(...this.codepointIds(codepoint));
    return this.mergePairs(ids);
  }

  decode(ids: number[]): string {
    const chunks: Uint8Array[] = [];
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new Error(`decode: id ${JSON.stringify(id)} at index ${i} is not in 0..${this.vocabSize - 1}`);
      }
      if (id === BOS_ID || id === EOS_ID) return;
      let bytes = this.pieceBytes[id];
      // As llama2.c (and SentencePiece): the piece right after BOS loses its dummy-prefix space.
      if (i > 0 && ids[i - 1] === BOS_ID && bytes[0] === 0x20 && !BYTE_PIECE.test(this.pieces[id])) bytes = bytes.subarray(1);
      chunks.push(bytes);
    });
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      all.set(c, offset);
      offset += c.length;
    }
    return new TextDecoder('utf-8').decode(all);
  }

  piece(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
      throw new Error(`piece: id ${JSON.stringify(id)} is not in 0..${this.vocabSize - 1}`);
    if (id === BOS_ID) return '<s>';
    if (id === EOS_ID) return '</s>';
    return this.pieces[id].replace(/ /g, '\u2581');
  }

  /** The piece of one codepoint, or its UTF-8 bytes as byte pieces when the vocabulary lacks it. */
  private codepointIds(codepoint: string): number[] {
    const id = codepoint === '\0' ? undefined : this.idOf.get(codepoint);
    if (id !== undefined) return [id];
    return Array.from(new TextEncoder().encode(codepoint), (byte) => byte + BYTE_OFFSET);
  }

  /**
   * llama2.c's merge loop: while some adjacent pair concatenates to a vocabulary piece, merge the pair
   * whose piece scores highest (leftmost on ties). Symbols live in a linked list; candidate pairs in a heap
   * ordered by (score desc, left position asc), stale entries skipped: the same merges, in the same order.
   */
  private mergePairs(ids: number[]): number[] {
    const n = ids.length;
    const symbol = ids.slice();
    const next = Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    const prev = Array.from({ length: n }, (_, i) => i - 1);
    const alive = new Array<boolean>(n).fill(true);
    const heap = new PairHeap();
    const consider = (left: number) => {
      const right = left >= 0 ? next[left] : -1;
      if (left < 0 || right < 0) return;
      const merged = this.idOf.get(this.pieces[symbol[left]] + this.pieces[symbol[right]]);
      if (merged === undefined || !(this.scores[merged] > NO_MERGE_SCORE)) return;
      heap.push({ score: this.scores[merged], left, right, leftId: symbol[left], rightId: symbol[right], merged });
    };
    for (let i = 0; i + 1 < n; i++) consider(i);
    for (let pair = heap.pop(); pair; pair = heap.pop()) {
      const { left, right } = pair;
      const stale = !alive[left] || !alive[right] || next[left] !== right || symbol[left] !== pair.leftId || symbol[right] !== pair.rightId;
      if (stale) continue;
      symbol[left] = pair.merged;
      alive[right] = false;
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      consider(prev[left]);
      consider(left);
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (alive[i]) out.push(symbol[i]);
    return out;
  }
}

interface Pair {
  score: number;
  left: number;
  right: number;
  leftId: number;
  rightId: number;
  merged: number;
}

/** Binary max-heap on score, then min on left position (llama2.c picks the first best pair it meets). */
class PairHeap {
  private readonly items: Pair[] = [];

  private before(a: Pair, b: Pair): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }

  push(item: Pair): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Pair | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l], items[best])) best = l;
        if (r < items.length && this.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}
