import { afterAll, describe, expect, it } from 'vitest';
import { COLLECT_AFTER_OUTPUT_BYTES, collectAfterRun, collectGarbage } from './collect-garbage';
import { OnnxRunner } from './onnx-runner';
import { randomModel } from './random-model';
import { makeRng } from '../sampling/random';

const MB = 2 ** 20;

/** ArrayBuffer bytes after a collection, once V8's background sweeper has freed what it found (it may lag by a few ms). */
async function collectedArrayBuffers(): Promise<number> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return process.memoryUsage().arrayBuffers;
}

/** ArrayBuffer bytes once they are at most `atMost`, or after a second (the sweeper may lag). */
async function settledArrayBuffers(atMost: number): Promise<number> {
  let bytes = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 40 && bytes > atMost; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    bytes = process.memoryUsage().arrayBuffers;
  }
  return bytes;
}

describe('collectGarbage', () => {
  it('collects unreachable ArrayBuffers now, without the --expose-gc flag', async () => {
    const before = await collectedArrayBuffers(); // without what earlier tests in this worker left
    // Made and dropped inside a function: nothing references the arrays once it returns.
    const made = (() => Array.from({ length: 4 }, () => new Float32Array(8 * MB)).reduce((n, a) => n + a.byteLength, 0))();
    expect(made).toBe(128 * MB);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(120 * MB);
    expect(collectGarbage()).toBe(true);
    expect((await settledArrayBuffers(before + 16 * MB)) - before).toBeLessThan(16 * MB);
  });
});

describe('collectAfterRun', () => {
  it('collects after big outputs only', () => {
    expect(collectAfterRun(COLLECT_AFTER_OUTPUT_BYTES - 1, 1000)).toBe(false);
    expect(collectAfterRun(COLLECT_AFTER_OUTPUT_BYTES, 1e9)).toBe(true); // any collection is cheap next to this run
    expect(collectAfterRun(COLLECT_AFTER_OUTPUT_BYTES, 0)).toBe(true); // a collection of this small heap: a few ms
  });
});

describe('OnnxRunner: the binding’s copies of a run’s outputs do not outlive the run', () => {
  // Logits of 4 × 32 × 40,000 floats (20 MB, above the collection threshold) from a tiny model.
  const model = randomModel({ d_vocab: 40_000, n_ctx: 32 }, { seed: 3 });
  const runner = new OnnxRunner(model);
  afterAll(() => runner.dispose());
  const rng = makeRng(5);
  const tokens = Array.from({ length: 4 }, () => Array.from({ length: 32 }, () => rng.int(40_000)));
  const outputBytes = 4 * 32 * 40_000 * 4;

  it('holds one set of outputs across recycled runs, not one plus the copies of every run so far', async () => {
    expect(outputBytes).toBeGreaterThanOrEqual(COLLECT_AFTER_OUTPUT_BYTES);
    runner.recycle(await runner.run(tokens, ['logits'])); // first run: session warm-up, pool filled
    const base = await collectedArrayBuffers();
    for (let i = 0; i < 3; i++) {
      const cache = await runner.run(tokens, ['logits']);
      expect(cache.get('logits')!.data.byteLength).toBe(outputBytes);
      runner.recycle(cache);
    }
    // The recycled outputs are the pool's arrays (counted in base); each run's copy (one more set of outputs) was
    // collected by the run itself. Uncollected, three runs leave up to three copies.
    expect((await settledArrayBuffers(base + outputBytes / 2)) - base).toBeLessThan(outputBytes / 2);
  });
});
