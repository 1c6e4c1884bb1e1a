import { afterAll, describe, expect, it } from 'vitest';
import { makeRng } from '../sampling/random';
import type { ActivationCache, ForwardRunner, HookName } from './types';
import { documentWindows, newBatchStats, runInBatches } from './batches';
import { OnnxRunner } from './onnx-runner';
import { randomModel } from './random-model';

/** A runner that does no work but records the shape of every call, and the most values it was ever asked for. */
class CountingRunner implements ForwardRunner {
  calls = 0;
  maxPositions = 0;
  async run(tokens: number[][], hooks: HookName[]): Promise<ActivationCache> {
    this.calls++;
    this.maxPositions = Math.max(this.maxPositions, tokens.length * tokens[0].length);
    return new Map(
      hooks.map((h) => [h, { shape: [tokens.length, tokens[0].length, 1], data: new Float32Array(tokens.length * tokens[0].length) }]),
    );
  }
}

/** A lazy corpus that remembers how far ahead of the consumer it was ever pulled. */
function* corpus(docs: number, seed: number, pulled: { count: number }): Generator<number[]> {
  const rng = makeRng(seed);
  for (let d = 0; d < docs; d++) {
    pulled.count++;
    yield Array.from({ length: 1 + rng.int(70) }, () => 3 + rng.int(30));
  }
}

describe('documentWindows', () => {
  it('cuts a document into windows of at most contextLength tokens, BOS counted', () => {
    const windows = [...documentWindows(4, [10, 11, 12, 13, 14, 15, 16], 4, 1)];
    expect(windows).toEqual([
      { document: 4, start: 0, tokens: [1, 10, 11, 12] },
      { document: 4, start: 3, tokens: [1, 13, 14, 15] },
      { document: 4, start: 6, tokens: [1, 16] },
    ]);
    expect([...documentWindows(0, [5, 6, 7], 2)].map((w) => w.tokens)).toEqual([[5, 6], [7]]);
    expect(() => [...documentWindows(0, [5], 1, 1)]).toThrow(/no room/);
  });
});

describe('runInBatches keeps memory bounded by batch × context, not corpus size', () => {
  it('holds at most one batch, whatever the number of documents', async () => {
    const observed = [];
    for (const docs of [10, 2000]) {
      const runner = new CountingRunner();
      const stats = newBatchStats();
      const pulled = { count: 0 };
      let consumedWindows = 0;
      let maxAhead = 0;
      for await (const batch of runInBatches(
        runner,
        corpus(docs, 1, pulled),
        { batchSize: 4, contextLength: 16, padId: 0, hooks: ['logits'], bos: 1 },
        stats,
      )) {
        consumedWindows += batch.windows.length;
        // Documents pulled but not yet handed back in a batch: never more than one batch's worth.
        maxAhead = Math.max(maxAhead, stats.windows - consumedWindows);
        expect(batch.cache.get('logits')!.shape[0]).toBe(batch.windows.length);
      }
      expect(stats.documents).toBe(docs);
      expect(consumedWindows).toBe(stats.windows);
      expect(runner.calls).toBe(stats.batches);
      observed.push({ maxHeldWindows: stats.maxHeldWindows, maxBatchPositions: runner.maxPositions, maxAhead });
    }
    // The same bounds for 10 documents and for 2000.
    expect(observed[1]).toEqual({ maxHeldWindows: 4, maxBatchPositions: 4 * 16, maxAhead: 0 });
    expect(observed[0].maxBatchPositions).toBeLessThanOrEqual(4 * 16);
  });
});

describe('runInBatches gives each window the values it gets alone', () => {
  const runner = new OnnxRunner(randomModel({ d_vocab: 40 }, { seed: 3 }));
  afterAll(() => runner.dispose());

  it("right-padding never changes a window's own positions", async () => {
    const docs = [
      [5, 6, 7, 8, 9, 10, 11],
      [12, 13],
      [14, 15, 16, 17, 18],
    ];
    const hook = 'blocks.1.hook_resid_post';
    for await (const { windows, cache, seqLen } of runInBatches(runner, docs, {
      batchSize: 3,
      contextLength: 6,
      padId: 0,
      hooks: [hook],
      bos: 1,
    })) {
      const t = cache.get(hook)!;
      const D = t.shape[2];
      for (const [b, w] of windows.entries()) {
        const alone = (await runner.run([w.tokens], [hook])).get(hook)!;
        const rows = t.data.subarray(b * seqLen * D, (b * seqLen + w.tokens.length) * D);
        for (let i = 0; i < alone.data.length; i++) expect(rows[i]).toBeCloseTo(alone.data[i], 5);
      }
    }
  });
});
