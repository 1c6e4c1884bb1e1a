import type { Tokenizer } from '@/lib/tokenizers/types';
import { CONTEXTS_PER_DOCUMENT } from './types';

export interface ScanContext {
  /** Global context id: document index × CONTEXTS_PER_DOCUMENT + chunk. */
  id: number;
  docIndex: number;
  /** Token ids, BOS first. */
  tokenIds: number[];
}

/**
 * A document's contexts: its tokens (without BOS) cut into chunks of contextLength − 1, each chunk with BOS
 * prepended, so that every context reads like the start of a text (as TransformerLens' prepend_bos does).
 */
export function documentContexts(tokenizer: Tokenizer, doc: { index: number; text: string }, contextLength: number): ScanContext[] {
  if (!Number.isInteger(contextLength) || contextLength < 2) throw new Error(`contextLength must be an integer ≥ 2, got ${contextLength}`);
  const ids = tokenizer.encode(doc.text, { bos: false });
  const chunk = contextLength - 1;
  const out: ScanContext[] = [];
  for (let start = 0, c = 0; start < ids.length && c < CONTEXTS_PER_DOCUMENT; start += chunk, c++) {
    out.push({
      id: doc.index * CONTEXTS_PER_DOCUMENT + c,
      docIndex: doc.index,
      tokenIds: [tokenizer.bosId, ...ids.slice(start, start + chunk)],
    });
  }
  return out;
}
