import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHfFolder } from '../models/hf/load-hf-folder';
import { TINY_CONFIG, randomModel } from './random-model';
import { assertBatchFits, assertWeightsFit, estimateActivationBytes, fitBatchSize, largestBatchThatFits } from './memory-estimate';
import { OnnxRunner } from './onnx-runner';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-mem-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const GiB = 2 ** 30;

describe('memory estimate', () => {
  it('grows linearly with the batch, quadratically with the context for attention patterns', () => {
    const cfg = { ...TINY_CONFIG, d_model: 64, n_heads: 4, d_head: 16, d_mlp: 256 };
    const hooks = ['logits', 'blocks.0.attn.hook_pattern'];
    const one = estimateActivationBytes(cfg, 1, 16, hooks);
    expect(estimateActivationBytes(cfg, 4, 16, hooks) - estimateActivationBytes(cfg, 2, 16, hooks)).toBe(
      estimateActivationBytes(cfg, 3, 16, hooks) - one,
    );
    // A requested pattern: 2 copies × batch × heads × pos² floats.
    expect(estimateActivationBytes(cfg, 1, 16, hooks) - estimateActivationBytes(cfg, 1, 16, ['logits'])).toBe(4 * 2 * 4 * 16 * 16);
  });

  it('refuses weights bigger than the available memory, naming both figures', () => {
    expect(() => assertWeightsFit('gpt2-xl-shaped', 6.2 * GiB, { available: 4 * GiB, total: 24 * GiB })).toThrow(
      /gpt2-xl-shaped needs about 6\.6 GiB of memory to load \(6\.2 GiB of float32 weights \+ 0\.39 GiB for the runtime\), but only 4\.0 GiB of this machine's 24\.0 GiB is available/,
    );
    expect(() => assertWeightsFit('gpt2-xl-shaped', 6.2 * GiB, { available: 12 * GiB, total: 24 * GiB })).not.toThrow();
  });

  it('refuses a batch whose activations do not fit, naming the batch that does', () => {
    const cfg = { ...TINY_CONFIG, model_name: 'wide', d_model: 1600, n_heads: 25, d_head: 64, d_mlp: 6400, n_layers: 48, n_ctx: 1024 };
    const hooks = ['logits', 'blocks.0.attn.hook_pattern', 'blocks.0.mlp.hook_post'];
    const memory = { available: 2 * GiB, total: 24 * GiB };
    const fits = largestBatchThatFits(cfg, 1024, hooks, 0.9 * memory.available);
    expect(fits).toBeGreaterThan(0);
    expect(estimateActivationBytes(cfg, fits, 1024, hooks)).toBeLessThanOrEqual(0.9 * memory.available);
    expect(() => assertBatchFits(cfg, fits, 1024, hooks, undefined, memory)).not.toThrow();
    expect(() => assertBatchFits(cfg, 64, 1024, hooks, undefined, memory)).toThrow(
      new RegExp(
        `wide: a forward of 64 × 1024 tokens with 3 hooks needs about [\\d.]+ GiB of activations, but only 2\\.0 GiB of this machine's 24\\.0 GiB is available; use a batch of at most ${fits} sequences`,
      ),
    );
  });

  it('a scan picks a smaller batch where the requested one does not fit, and refuses when none does', () => {
    const cfg = { ...TINY_CONFIG, model_name: 'wide', d_model: 1600, n_heads: 25, d_head: 64, d_mlp: 6400, n_layers: 48, n_ctx: 1024 };
    const hooks = ['logits', 'blocks.0.attn.hook_pattern', 'blocks.0.mlp.hook_post'];
    const memory = { available: 2 * GiB, total: 24 * GiB };
    const fits = largestBatchThatFits(cfg, 1024, hooks, 0.9 * memory.available);
    expect(fitBatchSize(cfg, 64, 1024, hooks, undefined, memory)).toBe(fits);
    expect(fitBatchSize(cfg, 1, 1024, hooks, undefined, memory)).toBe(1);
    expect(() => fitBatchSize(cfg, 8, 1024, hooks, undefined, { available: 0.01 * GiB, total: 24 * GiB })).toThrow(
      /even one sequence of 1024 tokens does not fit/,
    );
  });

  it('the runner refuses an impossible batch before running it', async () => {
    const runner = new OnnxRunner(randomModel({ n_ctx: 4096, d_vocab: 40 }));
    // 2,000 sequences of 4,096 tokens with a pattern: a terabyte of attention weights.
    const row = new Array<number>(4096).fill(1);
    const tokens = Array.from({ length: 2000 }, () => row);
    await expect(runner.run(tokens, ['logits', 'blocks.0.attn.hook_pattern'])).rejects.toThrow(
      /needs about [\d.]+ GiB of activations.*available/,
    );
    expect(runner.buildCount).toBe(0);
  });

  it('loading a checkpoint too big for the machine is refused from its header, before reading a weight', async () => {
    // A GPT-2 config whose float16 checkpoint declares 8 TiB of float32 weights (a sparse file: nothing is written).
    const dir = path.join(tmp, 'huge');
    fs.mkdirSync(dir);
    const V = 2 ** 20;
    const D = 2 ** 20;
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ model_type: 'gpt2', n_embd: D, n_head: 1024, n_layer: 1, vocab_size: V, n_positions: 8 }),
    );
    const bytes = V * D * 2;
    let json = JSON.stringify({ 'transformer.wte.weight': { dtype: 'F16', shape: [V, D], data_offsets: [0, bytes] } });
    json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
    const start = new Uint8Array(8 + json.length);
    new DataView(start.buffer).setBigUint64(0, BigInt(json.length), true);
    start.set(new TextEncoder().encode(json), 8);
    const file = path.join(dir, 'model.safetensors');
    fs.writeFileSync(file, start);
    fs.truncateSync(file, start.byteLength + bytes);
    await expect(loadHfFolder(dir)).rejects.toThrow(
      /huge \(.*huge\) needs about 4096\.\d GiB of memory to load \(4096\.0 GiB of float32 weights .*available; refusing before the machine swaps/,
    );
  });
});
