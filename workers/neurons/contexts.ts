import type { Tokenizer } from '@/lib/tokenizers/types';

/**
 * Corpus documents cut into contexts for the neuron scan: BOS + up to `contextLength − 1` tokens each, like
 * Neuroscope's fixed-length contexts. Each context has a global id that does not depend on how the corpus is
 * split into shards (`docIndex · MAX_CHUNKS_PER_DOC + chunk`), which exact merging relies on.
 */
export const MAX_CHUNKS_PER_DOC = 4096;

export interface ScanContext {
  /** Global context id (the `doc` of UnitExample). */
  id: number;
  docIndex: number;
  chunk: number;
  /** BOS first. */
  tokens: number[];
}

export interface CorpusDoc {
  /** Position of the document in its corpus (global: shards keep the corpus' numbering). */
  index: number;
  text: string;
}

export function contextId(docIndex: number, chunk: number): number {
  return docIndex * MAX_CHUNKS_PER_DOC + chunk;
}

export function splitContextId(id: number): { docIndex: number; chunk: number } {
  return { docIndex: Math.floor(id / MAX_CHUNKS_PER_DOC), chunk: id % MAX_CHUNKS_PER_DOC };
}

export function buildContexts(tokenizer: Tokenizer, docs: CorpusDoc[], contextLength: number): ScanContext[] {
  if (!Number.isInteger(contextLength) || contextLength < 2) throw new Error(`contextLength must be an integer ≥ 2, got ${contextLength}`);
  const out: ScanContext[] = [];
  for (const doc of docs) {
    const ids = tokenizer.encode(doc.text, { bos: false });
    const body = contextLength - 1;
    const chunks = Math.min(MAX_CHUNKS_PER_DOC, Math.ceil(ids.length / body));
    for (let c = 0; c < chunks; c++) {
      const tokens = [tokenizer.bosId, ...ids.slice(c * body, (c + 1) * body)];
      if (tokens.length < 2) continue;
      out.push({ id: contextId(doc.index, c), docIndex: doc.index, chunk: c, tokens });
    }
  }
  return out;
}

/**
 * The corpus' contexts in groups of at least `groupSize` (whole documents each; the last group may be smaller),
 * built lazily: a scan holds one group's tokens at a time, so its memory does not grow with the corpus.
 */
export function* contextGroups(
  tokenizer: Tokenizer,
  docs: CorpusDoc[],
  contextLength: number,
  groupSize: number,
): Generator<{ contexts: ScanContext[]; docsDone: number }> {
  let group: ScanContext[] = [];
  for (let i = 0; i < docs.length; i++) {
    group.push(...buildContexts(tokenizer, [docs[i]], contextLength));
    if (group.length >= groupSize || i === docs.length - 1) {
      yield { contexts: group, docsDone: i + 1 };
      group = [];
    }
  }
}

/**
 * Batches of contexts padded to the batch's longest (after the last real token, so a causal model's
 * activations at real positions are unaffected); sorted by length so that padding stays small.
 */
export function batchContexts(
  contexts: ScanContext[],
  batchSize: number,
  padId: number,
): { contexts: ScanContext[]; padded: number[][] }[] {
  const sorted = [...contexts].sort((a, b) => b.tokens.length - a.tokens.length || a.id - b.id);
  const batches: { contexts: ScanContext[]; padded: number[][] }[] = [];
  for (let i = 0; i < sorted.length; i += batchSize) {
    const group = sorted.slice(i, i + batchSize);
    const len = group[0].tokens.length;
    batches.push({ contexts: group, padded: group.map((c) => [...c.tokens, ...new Array(len - c.tokens.length).fill(padId)]) });
  }
  return batches;
}
