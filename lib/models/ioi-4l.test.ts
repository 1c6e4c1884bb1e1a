// The bundled IOI model (data/models/ioi-4l): loads through the registry in HF GPT-2 layout with its word-level
// tokenizer (every name one token), and the plain-TS reference forward and onnxruntime reproduce the logits
// PyTorch recorded at training time (reference.json) — an independent check of the weights' layout.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '../engine/onnx-runner';
import { ReferenceRunner } from '../engine/reference';
import { repoRoot } from '../../scripts/lib/paths';
import { resolveModel } from './registry';

interface Reference {
  prompts: { prompt: string; io: string; s: string; token_ids: number[]; last_logits: number[]; argmax_per_position: number[] }[];
}
const reference: Reference = JSON.parse(fs.readFileSync(path.join(repoRoot, 'data/models/ioi-4l/reference.json'), 'utf8'));

function lastRow(data: Float32Array, positions: number, vocab: number): Float32Array {
  return data.subarray((positions - 1) * vocab, positions * vocab);
}

describe('bundled ioi-4l', () => {
  it('resolves by name: GPT-2 shape, 4 layers × 2 heads, repository-relative source', async () => {
    const { model, tokenizer } = await resolveModel('ioi-4l');
    expect(model.cfg).toMatchObject({ model_name: 'ioi-4l', n_layers: 4, n_heads: 2, d_model: 64, d_head: 32 });
    expect(model.source.path).toBe('data/models/ioi-4l');
    expect(tokenizer.vocabSize).toBe(model.cfg.d_vocab);
  });

  it('keeps names single tokens and encodes the prompts as training did', async () => {
    const { tokenizer } = await resolveModel('ioi-4l');
    for (const name of ['Mary', 'John', 'Alice', 'Jennifer']) {
      expect(tokenizer.encode(` ${name}`)).toHaveLength(1);
      expect(tokenizer.piece(tokenizer.encode(` ${name}`)[0])).toBe(name);
    }
    for (const r of reference.prompts) expect(tokenizer.encode(r.prompt, { bos: true })).toEqual(r.token_ids);
  });

  it('reference forward and onnxruntime match PyTorch: last logits to 1e-3, every argmax; the IO name wins', async () => {
    const { model, tokenizer } = await resolveModel('ioi-4l');
    const V = model.cfg.d_vocab;
    const onnx = await OnnxRunner.create(model);
    try {
      for (const r of reference.prompts) {
        for (const runner of [new ReferenceRunner(model), onnx]) {
          const logits = (await runner.run([r.token_ids], ['logits'])).get('logits')!;
          const last = lastRow(logits.data, r.token_ids.length, V);
          let worst = 0;
          for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(last[v] - r.last_logits[v]));
          expect(worst).toBeLessThan(1e-3);
          const argmax = r.token_ids.map((_, p) => {
            const row = Array.from(logits.data.subarray(p * V, (p + 1) * V));
            return row.indexOf(Math.max(...row));
          });
          expect(argmax).toEqual(r.argmax_per_position);
          const io = tokenizer.encode(` ${r.io}`)[0];
          const s = tokenizer.encode(` ${r.s}`)[0];
          expect(last[io]).toBeGreaterThan(last[s]);
        }
      }
    } finally {
      await onnx.dispose();
    }
  });
});
