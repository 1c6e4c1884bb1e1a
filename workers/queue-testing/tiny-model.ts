/**
 * A tiny seeded-random llama2.c checkpoint (2 layers, 4 query / 2 key-value heads, 24 MLP neurons per layer)
 * beside a copy of the bundled stories tokenizer (tok512), for queue tests. Why: the queue proofs check that
 * sharded, crashed or reconnected runs publish exactly what one worker does — a property of the queue, not of
 * the model — and every job's cost scales with heads × neurons, so a tiny model keeps the proofs to seconds.
 * The full-size proofs on the real stories260K weights are `npx tsx scripts/prove-queue.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeRng } from '@/lib/sampling/random';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export const TINY_HEADER = { dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 512, seqLen: 128 };

/** Writes `<dir>/tiny-queue-model.bin` (+ tok512.bin) and returns the checkpoint's path: a model reference for workers. */
export function writeTinyModel(dir: string, seed = 1): string {
  const h = TINY_HEADER;
  const headSize = h.dim / h.nHeads;
  const kv = h.nKvHeads * headSize;
  const rng = makeRng(seed);
  // llama2.c's file order (lib/models/llama2c.ts); matrices are [out, in], scaled 1/√fan_in; norm weights near 1.
  const layout: [count: number, fill: () => number][] = [];
  const matrix = (count: number, fanIn: number) => layout.push([count, () => (2 * rng.next() - 1) * Math.sqrt(3 / fanIn)]);
  const norm = (count: number) => layout.push([count, () => 1 + (2 * rng.next() - 1) * 0.2]);
  const { dim: D, hiddenDim: H, nLayers: L, vocabSize: V } = h;
  matrix(V * D, 1); // tok_emb
  norm(L * D); // rms_att
  matrix(L * D * D, D); // wq
  matrix(L * kv * D, D); // wk
  matrix(L * kv * D, D); // wv
  matrix(L * D * D, D); // wo
  norm(L * D); // rms_ffn
  matrix(L * H * D, D); // w1
  matrix(L * D * H, H); // w2
  matrix(L * H * D, D); // w3
  norm(D); // rms_final
  layout.push([h.seqLen * headSize, () => 0]); // freq_cis_real + freq_cis_imag (unused: RoPE is computed)
  const total = layout.reduce((a, [n]) => a + n, 0);
  const floats = new Float32Array(total);
  let i = 0;
  for (const [count, fill] of layout) for (let k = 0; k < count; k++) floats[i++] = fill();
  const header = new Int32Array([h.dim, h.hiddenDim, h.nLayers, h.nHeads, h.nKvHeads, h.vocabSize, h.seqLen]);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'tiny-queue-model.bin');
  fs.writeFileSync(file, Buffer.concat([Buffer.from(header.buffer), Buffer.from(floats.buffer)]));
  fs.copyFileSync(path.join(REPO_ROOT, 'data/models/stories260K/tok512.bin'), path.join(dir, 'tok512.bin'));
  return file;
}
