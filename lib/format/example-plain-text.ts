/**
 * An example's tokens as plain text for text search: pieces joined as the tokenizer wrote them, with every
 * whitespace mark read as a space — SentencePiece's `▁`, GPT-2's byte-level `Ġ` `Ċ` `ĉ` `č`, byte tokens
 * `<0x09>` `<0x0A>` `<0x0D>` `<0x20>`, and real tabs/newlines. So "little girl" finds `▁little▁girl` and
 * `Ġlittle Ġgirl` alike, and the result never contains a newline (the search table joins examples with one).
 * The backfill in prisma/migrations/*_unit_search_text/migration.sql is the SQL twin of this function.
 */
const WHITESPACE_BYTE_TOKEN = /<0x(0[9AaDd]|20)>/g;
const WHITESPACE_MARK = /[▁ĠĊĉč\n\t\r]/g;

export function examplePlainText(tokens: readonly string[]): string {
  return tokens.join('').replace(WHITESPACE_BYTE_TOKEN, ' ').replace(WHITESPACE_MARK, ' ');
}
