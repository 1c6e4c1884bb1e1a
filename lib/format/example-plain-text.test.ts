import { describe, expect, it } from 'vitest';
import { examplePlainText } from './example-plain-text';

describe('examplePlainText', () => {
  it('reads SentencePiece and GPT-2 whitespace marks as spaces', () => {
    expect(examplePlainText(['<s>', '▁Once', '▁upon', '▁a', '▁time'])).toBe('<s> Once upon a time');
    expect(examplePlainText(['Ġlittle', 'Ġgirl', 'Ċ', 'ĉ', 'č', 'x'])).toBe(' little girl   x');
  });

  it('reads whitespace byte tokens and raw control whitespace as spaces, never leaving a newline', () => {
    expect(examplePlainText(['a', '<0x0A>', 'b', '<0x09>', '<0x0d>', '<0x20>', 'c'])).toBe('a b   c');
    expect(examplePlainText(['a\nb', '\t', '\r\n'])).toBe('a b   ');
    expect(examplePlainText(['x', '<0x0A>', '\n']).includes('\n')).toBe(false);
  });

  it('keeps other byte tokens, special tokens and markup as they are (rendered as text, never HTML)', () => {
    expect(examplePlainText(['<0xE2>', '<0x41>', '<|endoftext|>', '<b>', '%_'])).toBe('<0xE2><0x41><|endoftext|><b>%_');
    expect(examplePlainText([])).toBe('');
  });
});
