/**
 * Corpus text is untrusted. React already escapes it (no markup runs), but characters that are not markup can
 * still mislead a reader: bidirectional controls (RLO U+202E reverses what follows), zero-width and control
 * characters (invisible, or moving the cursor in terminals). `inertText` makes each of them visible as a
 * short escape (`\u202E`, `\x1B`), so what the page shows is what the corpus contains.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

export function inertText(text: string): string {
  return text.replace(INVISIBLE, (ch) => {
    const code = ch.codePointAt(0)!;
    return code <= 0xff
      ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
