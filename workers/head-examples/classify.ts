/**
 * What a head does at one stored example, read off the example itself (its window and sparse attention):
 * whether the destination's best non-BOS source is the previous token, or the token after an earlier
 * occurrence of the destination token (induction). Used to validate the examples of known heads
 * (scripts/dev/head-examples-validate.ts, the planted-model test).
 */
import type { HeadExample } from './types';

export interface ExampleClass {
  /** Context position of the destination's best stored non-BOS source, or -1 when the row has none. */
  source: number;
  /** The destination's strongest source is the token before it: source = destination − 1, or BOS at destination 1. */
  previous: boolean;
  /** token(source − 1) = token(destination), source − 1 < destination: the source follows an earlier occurrence. */
  induction: boolean;
  /** induction, and token(source − 2) = token(destination − 1): the destination continues repeated text. */
  repeated: boolean;
}

export function classifyExample(ex: HeadExample): ExampleClass {
  const row = ex.attn[ex.pos - ex.windowStart] ?? [];
  let source = -1;
  for (let j = 0; j < row.length; j += 2) {
    if (row[j] !== 0) {
      source = row[j];
      break;
    }
  }
  // Token at a context position, when the window holds it.
  const tok = (p: number) => (p >= ex.windowStart && p < ex.windowStart + ex.tokens.length ? ex.tokens[p - ex.windowStart] : undefined);
  // At destination 1 the only earlier token is BOS: attending one back means attending to BOS.
  const previous = source === ex.pos - 1 || (ex.pos === 1 && row[0] === 0);
  const before = tok(source - 1);
  const induction = source >= 2 && source - 1 < ex.pos && before !== undefined && before === tok(ex.pos);
  const before2 = tok(source - 2);
  const repeated = induction && source >= 3 && before2 !== undefined && before2 === tok(ex.pos - 1);
  return { source, previous, induction, repeated };
}
