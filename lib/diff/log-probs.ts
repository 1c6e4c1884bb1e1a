import type { ForwardRunner } from '../engine/types';
import { runInBatches } from '../engine/batches';

/**
 * Natural-log probability a model gives each token of each document, documents cut into windows of ≤ contextLength
 * tokens (BOS first: every token is predicted, the first of a window from BOS alone). Log-softmax in float64.
 */
export async function documentLogProbs(
  runner: ForwardRunner,
  documents: readonly (readonly number[])[],
  opts: { contextLength: number; batchSize: number; bos: number; padId?: number },
): Promise<Float64Array[]> {
  const out = documents.map((d) => new Float64Array(d.length));
  const batches = runInBatches(runner, documents, {
    batchSize: opts.batchSize,
    contextLength: opts.contextLength,
    padId: opts.padId ?? opts.bos,
    bos: opts.bos,
    hooks: ['logits'],
  });
  for await (const { windows, seqLen, cache } of batches) {
    const logits = cache.get('logits')!;
    const vocab = logits.shape[2];
    windows.forEach((w, row) => {
      const target = out[w.document];
      for (let j = 1; j < w.tokens.length; j++) {
        const base = (row * seqLen + j - 1) * vocab;
        target[w.start + j - 1] = logSoftmaxAt(logits.data, base, vocab, w.tokens[j]);
      }
    });
  }
  return out;
}

/** log softmax(row)[target] for the row data[base, base + width). */
export function logSoftmaxAt(data: Float32Array, base: number, width: number, target: number): number {
  let max = -Infinity;
  for (let i = base; i < base + width; i++) if (data[i] > max) max = data[i];
  let z = 0;
  for (let i = base; i < base + width; i++) z += Math.exp(data[i] - max);
  return data[base + target] - max - Math.log(z);
}
