/** A literal phrase as a LIKE/ILIKE pattern matching it anywhere: `%`, `_` and `\` lose their meaning. */
export function likePattern(phrase: string): string {
  return `%${phrase.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
