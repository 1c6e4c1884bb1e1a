/**
 * A short excerpt of a matched example around the first occurrence of the phrase, so a search result can show
 * which example matched without the whole window. Case-insensitive like the database's ILIKE; when JavaScript's
 * case folding disagrees with Postgres' (rare scripts) the excerpt is simply the example's start.
 */
export const SNIPPET_CONTEXT = 40;

export function matchSnippet(text: string, phrase: string, context = SNIPPET_CONTEXT): string {
  const at = text.toLowerCase().indexOf(phrase.toLowerCase());
  const start = at < 0 ? 0 : Math.max(0, at - context);
  const end = at < 0 ? Math.min(text.length, 2 * context + phrase.length) : Math.min(text.length, at + phrase.length + context);
  // Cut at spaces where one is near, so words are not chopped.
  const s = start > 0 ? Math.max(start, text.indexOf(' ', start) + 1 || start) : 0;
  const eSpace = end < text.length ? text.lastIndexOf(' ', end) : -1;
  const e = end < text.length && eSpace > (at < 0 ? s : at + phrase.length) ? eSpace : end;
  return `${s > 0 ? '…' : ''}${text.slice(s, e).trim()}${e < text.length ? '…' : ''}`;
}
