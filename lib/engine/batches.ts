import type { ActivationCache, ForwardRunner, HookName } from './types';
import type { RunOptions } from './interventions';

/**
 * Runs a stream of tokenized documents through a runner in fixed-size batches, so that memory is bounded by
 * batch size × context, never by corpus size: documents are pulled lazily from an (async) iterable, cut into
 * windows of at most `contextLength` tokens (each starting with BOS when `bos` is given), and at most one batch
 * of windows is held at a time. Each batch is right-padded to its longest window with `padId`; with causal
 * attention padding after a window never changes the window's own positions, so callers simply ignore
 * positions ≥ window.tokens.length.
 *
 *   for await (const { windows, cache } of runInBatches(runner, documents, { batchSize: 8, contextLength: 128, padId, hooks })) {
 *     // cache tensors are [batch, seqLen, ...]; row b belongs to windows[b]. Reduce, then let the batch go.
 *   }
 */

export interface BatchOptions {
  batchSize: number;
  /** Tokens per window, BOS included. */
  contextLength: number;
  padId: number;
  hooks: HookName[];
  /** Prepended to every window when given (TransformerLens prepends BOS to each input). */
  bos?: number | null;
  runOptions?: RunOptions;
}

/** A window of one document: tokens [start, start + n) of the document (BOS, if any, before them). */
export interface TokenWindow {
  document: number;
  start: number;
  /** The tokens fed to the model (BOS included). */
  tokens: number[];
}

export interface ForwardBatch {
  windows: TokenWindow[];
  seqLen: number;
  cache: ActivationCache;
}

/** Counters for tests and logs: what was held at most, whatever the corpus size. */
export interface BatchStats {
  documents: number;
  windows: number;
  batches: number;
  /** Most windows held at once (≤ batchSize). */
  maxHeldWindows: number;
  /** Most token positions in one forward call (≤ batchSize × contextLength). */
  maxBatchPositions: number;
}

export function newBatchStats(): BatchStats {
  return { documents: 0, windows: 0, batches: 0, maxHeldWindows: 0, maxBatchPositions: 0 };
}

/** Cuts one document into windows of at most contextLength tokens (BOS counted). */
export function* documentWindows(
  document: number,
  tokens: readonly number[],
  contextLength: number,
  bos: number | null = null,
): Generator<TokenWindow> {
  const room = contextLength - (bos === null ? 0 : 1);
  if (!Number.isInteger(room) || room < 1) throw new Error(`contextLength ${contextLength} leaves no room for tokens`);
  for (let start = 0; start < tokens.length; start += room) {
    const piece = tokens.slice(start, start + room);
    yield { document, start, tokens: bos === null ? piece : [bos, ...piece] };
  }
}

export async function* runInBatches(
  runner: ForwardRunner,
  documents: Iterable<readonly number[]> | AsyncIterable<readonly number[]>,
  options: BatchOptions,
  stats: BatchStats = newBatchStats(),
): AsyncGenerator<ForwardBatch> {
  const { batchSize, contextLength, padId, hooks } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(contextLength) || contextLength < 1)
    throw new Error(`contextLength must be a positive integer, got ${contextLength}`);
  let held: TokenWindow[] = [];

  const flush = async (): Promise<ForwardBatch> => {
    const windows = held;
    held = [];
    const seqLen = Math.max(...windows.map((w) => w.tokens.length));
    const tokens = windows.map((w) =>
      w.tokens.length === seqLen ? w.tokens : [...w.tokens, ...new Array(seqLen - w.tokens.length).fill(padId)],
    );
    stats.batches++;
    stats.maxBatchPositions = Math.max(stats.maxBatchPositions, windows.length * seqLen);
    return { windows, seqLen, cache: await runner.run(tokens, hooks, options.runOptions) };
  };

  let index = 0;
  for await (const doc of documents) {
    const document = index++;
    stats.documents++;
    for (const window of documentWindows(document, doc, contextLength, options.bos ?? null)) {
      held.push(window);
      stats.windows++;
      stats.maxHeldWindows = Math.max(stats.maxHeldWindows, held.length);
      if (held.length === batchSize) yield await flush();
    }
  }
  if (held.length > 0) yield await flush();
}
