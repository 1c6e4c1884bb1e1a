/**
 * Turn a raw vocabulary piece (`▁Once`, `<0x0A>`, `Ġthe`, `<s>`) into something a reader can see.
 * Pieces keep their spaces and newlines visible, because where a token boundary falls
 * relative to whitespace is exactly what attention-pattern readers care about.
 */

export type TokenKind = 'text' | 'byte' | 'special';

export interface DisplayToken {
  /** What to print (monospace): spaces as `␣`, newlines as `↵`, tabs as `⇥`. */
  text: string;
  kind: TokenKind;
  /** Hover text: the raw piece, plus the byte value for byte tokens. */
  title: string;
}

export const VISIBLE_SPACE = '␣';
export const VISIBLE_NEWLINE = '↵';
export const VISIBLE_TAB = '⇥';

const SENTENCEPIECE_SPACE = '▁';
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
/** Special tokens are written in angle brackets (`<s>`, `</s>`, `<unk>`, `<|endoftext|>`, `<pad>`). */
const SPECIAL_TOKEN = /^<\|?\/?[A-Za-z_][\w.-]*\|?>$/;

/**
 * GPT-2's byte-level BPE stores whitespace/control bytes as printable code points
 * (byte b < 33 → U+0100 + b); map the three that occur in text back to visible marks.
 */
const GPT2_WHITESPACE: Record<string, string> = {
  Ġ: VISIBLE_SPACE, // byte 0x20
  Ċ: VISIBLE_NEWLINE, // byte 0x0A
  ĉ: VISIBLE_TAB, // byte 0x09
  č: '␍', // byte 0x0D
};

/** A single byte, legible: whitespace as marks, printable ASCII as itself, anything else as `\xHH`. */
export function displayByte(byte: number): string {
  if (!Number.isInteger(byte) || byte < 0 || byte > 255) {
    throw new RangeError(`displayByte: expected an integer byte 0..255, got ${byte}`);
  }
  if (byte === 0x20) return VISIBLE_SPACE;
  if (byte === 0x0a) return VISIBLE_NEWLINE;
  if (byte === 0x09) return VISIBLE_TAB;
  if (byte === 0x0d) return '␍';
  if (byte > 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Spaces, newlines and tabs inside ordinary text made visible. */
function showWhitespace(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === SENTENCEPIECE_SPACE || ch === ' ') out += VISIBLE_SPACE;
    else if (ch === '\n') out += VISIBLE_NEWLINE;
    else if (ch === '\t') out += VISIBLE_TAB;
    else if (ch === '\r') out += '␍';
    else out += GPT2_WHITESPACE[ch] ?? ch;
  }
  return out;
}

export function formatToken(piece: string): DisplayToken {
  if (typeof piece !== 'string') {
    throw new TypeError(`formatToken: expected a string piece, got ${typeof piece}`);
  }
  if (piece === '') return { text: '∅', kind: 'special', title: 'empty piece' };
  const byteMatch = BYTE_TOKEN.exec(piece);
  if (byteMatch) {
    const byte = parseInt(byteMatch[1], 16);
    return { text: displayByte(byte), kind: 'byte', title: `${piece} (byte 0x${byteMatch[1].toUpperCase()})` };
  }
  if (SPECIAL_TOKEN.test(piece)) return { text: piece, kind: 'special', title: `${piece} (special token)` };
  return { text: showWhitespace(piece), kind: 'text', title: JSON.stringify(piece) };
}

/** Just the visible text of a piece. */
export function displayToken(piece: string): string {
  return formatToken(piece).text;
}
