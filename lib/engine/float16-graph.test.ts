import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLlama2c } from '../models/llama2c';
import { NO_PROCESSING, TRANSFORMER_LENS_DEFAULTS, processWeights } from '../models/process-weights';
import { SafetensorsFileReader } from '../models/safetensors-reader';
import { roundToDtype, serializeSafetensors } from '../models/safetensors-write';
import type { CanonicalModel, Float16Tensor, ModelConfig, Tensor } from '../models/types';
import { makeRng } from '../sampling/random';
import { repoPath, sharedDataPath } from '../../scripts/testing/shared-data';
import { float16Bits, isMatrixWeight, keepWeightsFloat16, widenFloat16 } from './float16-weights';
import { allHookNames } from './hooks';
import { buildOnnxModel } from './onnx-graph';
import { OnnxRunner } from './onnx-runner';
import { weightPrecision } from './precision';
import { randomModel } from './random-model';
import { ReferenceRunner } from './reference';
import type { ActivationCache, HookName } from './types';

/**
 * The float16 graph (issue 20, 16-bit checkpoints), run on the CPU. onnxruntime's x86 CPU provider has no float16
 * MatMul: it widens each float16 weight to float32 in the graph (lib/engine/precision.ts), so on weights that float16
 * holds exactly (a 16-bit checkpoint's values) every hook must equal the float32 graph's BIT FOR BIT, and match the
 * plain-TS reference forward within the tolerance a float16 graph must meet on any provider (CUDA computes the
 * products in float16, which these machines cannot run):
 * max |f16 − reference| ≤ 2 % of the hook's largest magnitude (1 % for the logits), and the same argmax token at
 * ≥ 95 % of positions. float16 keeps 11 significant bits (relative rounding 2⁻¹¹ ≈ 0.05 %) on each product's input;
 * a few layers add that up to a few tenths of a percent.
 */
const HOOK_TOLERANCE = 0.02;
const LOGITS_TOLERANCE = 0.01;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-f16-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tokens(seed: number, batch: number, pos: number, vocab: number): number[][] {
  const rng = makeRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(vocab)));
}

/** The model with every matrix rounded to float16's values (what a float16 checkpoint holds), as float32. */
function roundedToFloat16(model: CanonicalModel): CanonicalModel {
  const weights = new Map<string, Tensor>();
  for (const [name, t] of model.weights)
    weights.set(name, isMatrixWeight(name) ? { shape: t.shape, data: roundToDtype(t.data, 'F16') } : t);
  return { ...model, weights, source: { ...model.source, dtype: 'F16' } };
}

/** max |a − b| / max |a| over a hook (masked −∞ scores equal on both sides count as 0). */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (!(worst < Infinity)) return NaN;
    scale = Math.max(scale, Math.abs(a[i]));
  }
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) scale = Math.max(scale, Math.abs(a[i]));
  return worst === 0 ? 0 : worst / scale;
}

function argmaxAgreement(a: Float32Array, b: Float32Array, width: number): number {
  let same = 0;
  const rows = a.length / width;
  for (let r = 0; r < rows; r++) {
    const row = (x: Float32Array) => x.subarray(r * width, (r + 1) * width);
    const ra = row(a);
    const rb = row(b);
    if (ra.indexOf(Math.max(...ra)) === rb.indexOf(Math.max(...rb))) same++;
  }
  return same / rows;
}

/** Every hook's relative error of `half` against `full`, and the logits' argmax agreement. */
function compare(full: ActivationCache, half: ActivationCache, hooks: HookName[]): { worst: Map<string, number>; argmax: number } {
  const worst = new Map(hooks.map((h) => [h, relativeError(full.get(h)!.data, half.get(h)!.data)]));
  const logits = full.get('logits')!;
  return { worst, argmax: argmaxAgreement(logits.data, half.get('logits')!.data, logits.shape[2]) };
}

function expectWithinTolerance({ worst, argmax }: { worst: Map<string, number>; argmax: number }): void {
  if (process.env.HEADWIKI_PRINT_F16_ERRORS) {
    const top = [...worst].sort((x, y) => y[1] - x[1]).slice(0, 3);
    console.log(
      `worst: ${top.map(([h, e]) => `${h} ${(100 * e).toFixed(3)} %`).join(', ')}; logits ${(100 * worst.get('logits')!).toFixed(3)} %; argmax ${argmax}`,
    );
  }
  const over = [...worst].filter(([h, e]) => !(e <= (h === 'logits' ? LOGITS_TOLERANCE : HOOK_TOLERANCE)));
  expect(over).toEqual([]);
  expect(argmax).toBeGreaterThanOrEqual(0.95);
}

/** Hooks whose values differ at all between two runs. */
function unequalHooks(a: ActivationCache, b: ActivationCache, hooks: HookName[]): HookName[] {
  return hooks.filter((h) => {
    const x = a.get(h)!.data;
    const y = b.get(h)!.data;
    return x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]));
  });
}

const shapes: Array<[string, Partial<ModelConfig>]> = [
  ['GPT-2-like (LN, standard positions, biases)', { d_model: 32, n_heads: 4, d_head: 8, d_mlp: 64, d_vocab: 60 }],
  [
    'Llama-like (RMS, rotary, GQA 4/2, SwiGLU)',
    {
      normalization_type: 'RMS',
      positional_embedding_type: 'rotary',
      rotary_dim: 4,
      n_key_value_heads: 2,
      gated_mlp: true,
      act_fn: 'silu',
    },
  ],
  [
    'NeoX-like (parallel attention, partial rotary)',
    { positional_embedding_type: 'rotary', rotary_dim: 2, parallel_attn_mlp: true, act_fn: 'gelu' },
  ],
];

describe('float16 graphs on the CPU', () => {
  it.each(shapes)('%s: every hook within tolerance of the float32 graph and of the reference forward', async (_, cfg) => {
    const model = roundedToFloat16(randomModel(cfg, { seed: 7 }));
    const batch = tokens(4, 2, 12, model.cfg.d_vocab);
    const hooks = allHookNames(model.cfg);
    const full = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float32' });
    const half = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float16' });
    try {
      const [a, b] = await Promise.all([full.run(batch, hooks), half.run(batch, hooks)]);
      const reference = await new ReferenceRunner(model).run(batch, hooks);
      expect(unequalHooks(a, b, hooks)).toEqual([]);
      expectWithinTolerance(compare(reference, b, hooks));
      // Every hook comes back float32, shaped as in the float32 graph.
      for (const h of hooks) expect(b.get(h)!.data).toBeInstanceOf(Float32Array);
      // The run records the graph's precision and what the CPU computed in.
      expect(weightPrecision(model, half)).toMatchObject({ checkpoint: 'F16', graph: 'float16', compute: 'float32', keptFloat16: false });
      expect(weightPrecision(model, half).why).toMatch(/widens them to float32 per MatMul/);
      expect(weightPrecision(model, full)).toMatchObject({ graph: 'float32', compute: 'float32' });
    } finally {
      await Promise.all([full.dispose(), half.dispose()]);
    }
  });

  it('declares the matrices float16 and nothing else; initializers and inputs give the same hooks', async () => {
    const model = roundedToFloat16(randomModel({}, { seed: 3 }));
    const built = buildOnnxModel(model, { hooks: ['logits'], precision: 'float16' });
    const declared = onnxProto.onnx.ModelProto.decode(built.bytes).graph!.input!;
    const typeOf = (name: string) => declared.find((i) => i.name === name)!.type!.tensorType!.elemType;
    expect(built.weightInputs.length).toBe(model.weights.size);
    for (const name of built.weightInputs) expect([name, typeOf(name)]).toEqual([name, isMatrixWeight(name) ? 10 : 1]); // FLOAT16, FLOAT
    expect(built.weightInputs.filter(isMatrixWeight)).toContain('blocks.1.mlp.W_out');
    const batch = tokens(5, 2, 8, model.cfg.d_vocab);
    const hooks = allHookNames(model.cfg);
    const inputs = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float16', weightStorage: 'inputs' });
    const initializers = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float16', weightStorage: 'initializers' });
    try {
      const [a, b] = await Promise.all([inputs.run(batch, hooks), initializers.run(batch, hooks)]);
      const worst = Math.max(...hooks.map((h) => relativeError(a.get(h)!.data, b.get(h)!.data)));
      expect(worst).toBeLessThanOrEqual(1e-6);
    } finally {
      await Promise.all([inputs.dispose(), initializers.dispose()]);
    }
  });

  it('interventions on hooks that a float16 MatMul writes (hook_pre, hook_mlp_out, hook_z) act as in the float32 graph', async () => {
    const model = roundedToFloat16(randomModel({ d_model: 32, n_heads: 4, d_head: 8, d_mlp: 64 }, { seed: 11 }));
    const batch = tokens(12, 2, 8, model.cfg.d_vocab);
    const options = {
      interventions: [
        { hook: 'blocks.0.mlp.hook_pre', kind: 'zero' as const, neuron: 5 },
        { hook: 'blocks.0.hook_mlp_out', kind: 'mean' as const, value: 0.25, positions: [2, 3] },
        { hook: 'blocks.1.attn.hook_z', kind: 'zero' as const, head: 2 },
      ],
    };
    const hooks = ['logits', 'blocks.0.mlp.hook_pre', 'blocks.1.hook_resid_post'];
    const full = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float32' });
    const half = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float16' });
    try {
      const [a, b, clean] = await Promise.all([full.run(batch, hooks, options), half.run(batch, hooks, options), half.run(batch, hooks)]);
      expect(unequalHooks(a, b, hooks)).toEqual([]);
      expect(unequalHooks(clean, b, ['logits'])).toEqual(['logits']); // the interventions changed the answer
      const pre = b.get('blocks.0.mlp.hook_pre')!;
      for (let i = 5; i < pre.data.length; i += model.cfg.d_mlp) expect(pre.data[i]).toBe(0);
    } finally {
      await Promise.all([full.dispose(), half.dispose()]);
    }
  });

  it('a float16 checkpoint read 16-bit (no float32 widening) runs with its matrices at half the memory', async () => {
    const bundled = repoPath('data/models/stories260K/stories260K.bin');
    const loaded = await loadLlama2c(fs.existsSync(bundled) ? bundled : sharedDataPath('models/stories260K/stories260K.bin'));
    // Written as a float16 safetensors checkpoint, then read back two ways: widened to float32 (today's CPU path) and
    // kept 16-bit (readFloat16 for the matrices: the file's bits, never float32).
    const file = path.join(tmp, 'stories260K-f16.safetensors');
    fs.writeFileSync(file, serializeSafetensors(loaded.weights, { dtype: 'F16' }));
    const reader = new SafetensorsFileReader(file);
    const source = { ...loaded.source, dtype: 'F16' };
    const widened: CanonicalModel = { ...loaded, source, weights: new Map() };
    const kept: CanonicalModel = { ...loaded, source, weights: new Map(), float16Weights: new Map<string, Float16Tensor>() };
    try {
      for (const name of reader.entries.keys()) {
        widened.weights.set(name, reader.read(name));
        if (isMatrixWeight(name)) kept.float16Weights!.set(name, reader.readFloat16(name));
        else kept.weights.set(name, reader.read(name));
      }
    } finally {
      reader.close();
    }
    const bytes = (m: CanonicalModel) =>
      [...m.weights.values(), ...(m.float16Weights?.values() ?? [])].reduce((sum, t) => sum + t.data.byteLength, 0);
    expect(bytes(kept)).toBeLessThan(0.51 * bytes(widened));
    // The kept bits are the file's: widening them gives what read() gives.
    for (const [name, t] of kept.float16Weights!) expect(widenFloat16(t.data)).toEqual(widened.weights.get(name)!.data);

    const batch = tokens(6, 2, 16, loaded.cfg.d_vocab);
    const hooks = allHookNames(loaded.cfg);
    const full = new OnnxRunner(widened, { executionProviders: ['cpu'] });
    const half = new OnnxRunner(kept, { executionProviders: ['cpu'] });
    try {
      const [a, b] = await Promise.all([full.run(batch, hooks), half.run(batch, hooks)]);
      const reference = await new ReferenceRunner(widened).run(batch, hooks);
      expect(unequalHooks(a, b, hooks)).toEqual([]);
      expectWithinTolerance(compare(reference, b, hooks));
      // On the CPU a float16 checkpoint gets a float32 graph unless its matrices are kept 16-bit.
      expect(weightPrecision(widened, full)).toMatchObject({ graph: 'float32', keptFloat16: false });
      expect(weightPrecision(kept, half)).toMatchObject({ graph: 'float16', compute: 'float32', keptFloat16: true, checkpoint: 'F16' });
    } finally {
      await Promise.all([full.dispose(), half.dispose()]);
    }
  });

  it('keepWeightsFloat16 moves the matrices in place; the graph reads the same bits as narrowing on the fly', async () => {
    const model = randomModel({ d_model: 32, n_heads: 4, d_head: 8, d_mlp: 64 }, { seed: 9 });
    const copy: CanonicalModel = { ...model, weights: new Map(model.weights) };
    const expectedBits = new Map([...model.weights.keys()].filter(isMatrixWeight).map((n) => [n, float16Bits(model, n).data]));
    const result = keepWeightsFloat16(copy);
    expect(result.kept).toBe(true);
    expect([...copy.weights.keys()].some(isMatrixWeight)).toBe(false);
    for (const [name, bits] of expectedBits) expect(copy.float16Weights!.get(name)!.data).toEqual(bits);

    const batch = tokens(8, 2, 10, model.cfg.d_vocab);
    const onTheFly = new OnnxRunner(model, { executionProviders: ['cpu'], precision: 'float16' });
    const keptRunner = new OnnxRunner(copy, { executionProviders: ['cpu'] });
    try {
      const [a, b] = await Promise.all([onTheFly.run(batch, ['logits']), keptRunner.run(batch, ['logits'])]);
      expect(b.get('logits')!.data).toEqual(a.get('logits')!.data);
      // A model that keeps 16-bit matrices cannot feed a float32 graph: a clear error, not a wrong answer.
      const forced = new OnnxRunner(copy, { executionProviders: ['cpu'], precision: 'float32' });
      await expect(forced.run(batch, ['logits'])).rejects.toThrow(/kept in float16; build the graph with precision float16/);
      await forced.dispose();
      // Weight processing (fold_ln …) runs in float32 before narrowing: on a kept model it refuses rather than folding
      // the norms into matrices it cannot see.
      expect(() => processWeights(copy, TRANSFORMER_LENS_DEFAULTS)).toThrow(/weight processing runs on float32 weights, before/);
      expect(processWeights(copy, NO_PROCESSING).model.float16Weights).toBe(copy.float16Weights);
    } finally {
      await Promise.all([onTheFly.dispose(), keptRunner.dispose()]);
    }
  });

  it('refuses to narrow a matrix float16 cannot hold (a bfloat16 checkpoint past ±65504): the model stays float32', () => {
    const model = randomModel({}, { seed: 2 });
    model.weights.get('blocks.1.mlp.W_out')!.data[5] = 1e6;
    const before = new Map(model.weights);
    const result = keepWeightsFloat16(model);
    expect(result.kept).toBe(false);
    expect(result.why).toMatch(/blocks\.1\.mlp\.W_out holds 1000000, beyond float16's range/);
    expect(model.weights).toEqual(before);
    expect(model.float16Weights).toBeUndefined();
  });
});
