/**
 * Folds runs of tied scores in a ranked token list. Tokens a model never trained on (llama2.c's byte tokens, <unk>)
 * keep identical embeddings, so they tie exactly and can fill a top-20 list (19 of stories260K's 20 W_gate tokens at
 * 0.679): shown one by one they hide the tokens that carry signal. A run of MIN_TIE or more equal scores (at the
 * precision shown) becomes one group.
 */

export const MIN_TIE = 3;

export type Folded<T> = { kind: 'one'; row: T } | { kind: 'tie'; score: number; rows: T[] };

export function foldTies<T extends { score: number }>(rows: readonly T[], digits = 3, minTie = MIN_TIE): Folded<T>[] {
  const out: Folded<T>[] = [];
  for (let i = 0; i < rows.length;) {
    const shown = rows[i].score.toFixed(digits);
    let j = i + 1;
    while (j < rows.length && rows[j].score.toFixed(digits) === shown) j++;
    if (j - i >= minTie) out.push({ kind: 'tie', score: rows[i].score, rows: rows.slice(i, j) });
    else for (let k = i; k < j; k++) out.push({ kind: 'one', row: rows[k] });
    i = j;
  }
  return out;
}
