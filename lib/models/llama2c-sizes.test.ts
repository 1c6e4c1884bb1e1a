import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../engine/onnx-runner';
import { ReferenceRunner } from '../engine/reference';
import { makeRng } from '../sampling/random';
import { expectedLlama2cBytes, llama2cFromBytes, parseLlama2cHeader } from './llama2c';

/**
 * llama2.c checkpoints of any size (stories15M is dim 288 / 6 layers / 6 heads / vocab 32000, stories42M 512 / 8 / 8,
 * stories110M 768 / 12 / 12): a file this test writes with random weights and other dimensions than stories260K,
 * shared and unshared classifier, loads, keeps every weight where llama2.c's run.c reads it, and runs.
 */
function writeCheckpoint(header: number[], seed: number): { bytes: Uint8Array; floats: Float32Array } {
  const [dim, hidden, layers, heads, kvHeads, vocab, seq] = header;
  const hs = dim / heads;
  const V = Math.abs(vocab);
  const count =
    V * dim + layers * (2 * dim + 2 * dim * dim + 2 * kvHeads * hs * dim + 3 * hidden * dim) + dim + seq * hs + (vocab < 0 ? V * dim : 0);
  const rng = makeRng(seed);
  const floats = Float32Array.from({ length: count }, () => (rng.next() - 0.5) * 0.5);
  const bytes = new Uint8Array(28 + 4 * count);
  bytes.set(new Uint8Array(Int32Array.from(header).buffer), 0);
  bytes.set(new Uint8Array(floats.buffer), 28);
  return { bytes, floats };
}

describe('llama2.c checkpoints of other sizes', () => {
  it('the stories15M/42M/110M headers parse; stories15M implies its published file size', () => {
    const parse = (h: number[]) => parseLlama2cHeader(new Uint8Array(Int32Array.from(h).buffer), 'x.bin');
    expect(expectedLlama2cBytes(parse([288, 768, 6, 6, 6, 32000, 256]))).toBe(60_816_028); // stories15M.bin
    expect(parse([512, 1376, 8, 8, 8, 32000, 1024])).toMatchObject({ dim: 512, vocabSize: 32000, sharedClassifier: true }); // stories42M
    expect(parse([768, 2048, 12, 12, 12, 32000, 1024])).toMatchObject({ nLayers: 12, nKvHeads: 12, seqLen: 1024 }); // stories110M
  });

  it.each([
    { label: 'dim 24, 3 layers, 6 heads / 2 kv, unshared classifier', header: [24, 40, 3, 6, 2, -37, 16] },
    { label: 'dim 32, 1 layer, 2 heads, shared classifier', header: [32, 20, 1, 2, 2, 50, 12] },
  ])('$label: weights where run.c reads them; ONNX logits = reference forward', async ({ header }) => {
    const { bytes, floats } = writeCheckpoint(header, 5);
    const model = llama2cFromBytes(bytes, 'random.bin');
    const [dim, hidden, layers, heads, kvHeads, vocab] = header;
    const V = Math.abs(vocab);
    const hs = dim / heads;
    expect(model.cfg).toMatchObject({
      d_model: dim,
      d_mlp: hidden,
      n_layers: layers,
      n_heads: heads,
      n_key_value_heads: kvHeads,
      d_vocab: V,
      d_head: hs,
    });
    // W_V of the last layer, kv head 1 (or 0), column 2 = wv row (head·hs + 2), unpermuted.
    const kv = kvHeads - 1;
    const wvStart = V * dim + layers * dim + layers * dim * dim + layers * kvHeads * hs * dim + (layers - 1) * kvHeads * hs * dim;
    const W_V = model.weights.get(`blocks.${layers - 1}.attn.W_V`)!;
    for (let i = 0; i < dim; i++) expect(W_V.data[(kv * dim + i) * hs + 2]).toBe(floats[wvStart + (kv * hs + 2) * dim + i]);
    // W_U: the classifier after freq_cis when vocab < 0, else the embedding.
    const clsStart = vocab < 0 ? floats.length - V * dim : 0;
    const W_U = model.weights.get('unembed.W_U')!;
    for (const [v, d] of [
      [0, 0],
      [V - 1, dim - 1],
      [5, 3],
    ])
      expect(W_U.data[d * V + v]).toBe(floats[clsStart + v * dim + d]);

    const tokens = [[1, 7, 3, 30, 2, 11, 4, 9]];
    const want = (await new ReferenceRunner(model).run(tokens, ['logits'])).get('logits')!;
    const runner = new OnnxRunner(model);
    try {
      const got = (await runner.run(tokens, ['logits'])).get('logits')!;
      let worst = 0;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(want.data[i] - got.data[i]));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await runner.dispose();
    }
  });
});
