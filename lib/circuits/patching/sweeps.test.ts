import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { ReferenceRunner } from '../../engine/reference';
import { randomModel } from '../../engine/random-model';
import type { Intervention } from '../../engine/interventions';
import type { ForwardRunner } from '../../engine/types';
import type { CanonicalModel } from '../../models/types';
import { makeRng } from '../../sampling/random';
import type { Task } from '../types';
import { CountingRunner } from '../metric';
import { patchHeads, patchLayerOutputs, patchResidual, patchWindows } from './sweeps';

const runners: OnnxRunner[] = [];
afterAll(() => Promise.all(runners.map((r) => r.dispose())));

/** Random prompt pairs of two lengths (so the engine's grouping by length is exercised). */
function randomTask(vocab: number, seed = 5): Task {
  const rng = makeRng(seed);
  const seq = (n: number) => Array.from({ length: n }, () => rng.int(vocab));
  const pairs = [7, 7, 7, 9].map((n) => ({
    clean: seq(n),
    corrupted: seq(n),
    answer: rng.int(vocab),
    wrong: rng.int(vocab),
    positions: { END: [n - 1] },
  }));
  return { kind: 'user', name: 'random', description: '', citation: null, metric: 'logit_diff', version: 1, pairs, skipped: [] };
}

/** One forward per patch through the public interventions API, logits read off the full output: the slow twin. */
async function naivePatch(
  runner: ForwardRunner,
  task: Task,
  pairIndex: number,
  hook: string,
  iv: Omit<Intervention, 'hook' | 'kind' | 'value'>,
) {
  const pair = task.pairs[pairIndex];
  const clean = (await runner.run([pair.clean], [hook])).get(hook)!;
  const out = (await runner.run([pair.corrupted], ['logits'], { interventions: [{ hook, kind: 'patch', value: clean, ...iv }] })).get(
    'logits',
  )!;
  const V = out.shape[2];
  const end = pair.clean.length - 1;
  return out.data[end * V + pair.answer] - out.data[end * V + pair.wrong];
}

describe.each([
  ['LN, standard positions', { normalization_type: 'LN' as const }],
  [
    'RMS, rotary, grouped-query',
    {
      normalization_type: 'RMS' as const,
      positional_embedding_type: 'rotary' as const,
      n_key_value_heads: 2,
      act_fn: 'silu' as const,
      gated_mlp: true,
    },
  ],
])('batched patching vs one forward per patch on the reference (%s)', (_name, overrides) => {
  const model: CanonicalModel = randomModel({ n_layers: 3, ...overrides }, { seed: 3 });
  const onnx = new OnnxRunner(model);
  runners.push(onnx);
  const reference = new ReferenceRunner(model);
  const task = randomTask(model.cfg.d_vocab);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('head outputs, all positions: every cell equals the naive patch, in a few forward passes', async () => {
    const counted = new CountingRunner(onnx);
    const sweep = await patchHeads(counted, model, task, { maxRows: 16 });
    const { n_layers: L, n_heads: H } = model.cfg;
    expect(sweep.shape).toEqual([L, H]);
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const naive = await Promise.all(task.pairs.map((_, p) => naivePatch(reference, task, p, `blocks.${l}.attn.hook_z`, { head: h })));
        expect(sweep.metrics[l * H + h]).toBeCloseTo(mean(naive), 4);
      }
    }
    expect(counted.passes).toBe(sweep.forwardPasses);
    // 2 baselines (two lengths) + ceil(3 rows of length 7 × 12 cells / 16) + ceil(12 / 16).
    expect(sweep.forwardPasses).toBe(2 + 3 + 1);
    expect(sweep.naiveForwardPasses).toBe(L * H * 4 + 8);
  });

  it('the same sweep on the reference forward gives the same numbers (both runners read patchTensors alike)', async () => {
    const a = await patchHeads(onnx, model, task, { site: 'head_v' });
    const b = await patchHeads(reference, model, task, { site: 'head_v' });
    a.metrics.forEach((m, i) => expect(m).toBeCloseTo(b.metrics[i], 4));
  });

  it('attention patterns (all query positions and per query position): every cell equals the naive patch on the reference', async () => {
    const counted = new CountingRunner(onnx);
    const sweep = await patchHeads(counted, model, task, { site: 'head_pattern', maxRows: 16 });
    const { n_layers: L, n_heads: H } = model.cfg;
    const corruptedLd = async (p: number) => {
      const { corrupted: tokens, answer, wrong } = task.pairs[p];
      const out = (await reference.run([tokens], ['logits'])).get('logits')!;
      const V = out.shape[2];
      return out.data[(tokens.length - 1) * V + answer] - out.data[(tokens.length - 1) * V + wrong];
    };
    const corrupted = mean(await Promise.all(task.pairs.map((_, p) => corruptedLd(p))));
    let moved = 0;
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const naive = mean(
          await Promise.all(task.pairs.map((_, p) => naivePatch(reference, task, p, `blocks.${l}.attn.hook_pattern`, { head: h }))),
        );
        expect(sweep.metrics[l * H + h]).toBeCloseTo(naive, 4);
        moved = Math.max(moved, Math.abs(naive - corrupted));
      }
    }
    expect(moved).toBeGreaterThan(1e-2); // the patterns matter on this model: the check is not vacuous
    expect(counted.passes).toBe(sweep.forwardPasses);
    const perPos = await patchHeads(onnx, model, task, { site: 'head_pattern', perPosition: true });
    const P = perPos.shape[2];
    for (const [l, h, p] of [
      [0, 1, 3],
      [2, 3, 6],
      [1, 2, 5],
    ]) {
      const naive = await Promise.all(
        [0, 1, 2].map((i) => naivePatch(reference, task, i, `blocks.${l}.attn.hook_pattern`, { head: h, positions: [p] })),
      );
      expect(perPos.metrics[(l * H + h) * P + p]).toBeCloseTo(mean(naive), 4);
    }
  });

  it('head q per position, residual stream per position, MLP outputs, ROME windows', async () => {
    const perPos = await patchHeads(onnx, model, task, { site: 'head_q', perPosition: true });
    const [L, H, P] = perPos.shape;
    expect(P).toBe(7); // the most common length
    const first3 = [0, 1, 2];
    for (const [l, h, p] of [
      [0, 1, 3],
      [2, 3, 6],
      [1, 0, 0],
    ]) {
      const naive = await Promise.all(
        first3.map((i) => naivePatch(reference, task, i, `blocks.${l}.attn.hook_q`, { head: h, positions: [p] })),
      );
      expect(perPos.metrics[(l * H + h) * P + p]).toBeCloseTo(mean(naive), 4);
    }
    expect(L).toBe(3);
    const resid = await patchResidual(onnx, model, task);
    for (const [l, p] of [
      [0, 2],
      [2, 6],
    ]) {
      const naive = await Promise.all(first3.map((i) => naivePatch(reference, task, i, `blocks.${l}.hook_resid_pre`, { positions: [p] })));
      expect(resid.metrics[l * 7 + p]).toBeCloseTo(mean(naive), 4);
    }
    const mlp = await patchLayerOutputs(onnx, model, task, { site: 'mlp_out' });
    const naiveMlp = await Promise.all(task.pairs.map((_, i) => naivePatch(reference, task, i, 'blocks.1.hook_mlp_out', {})));
    expect(mlp.metrics[1]).toBeCloseTo(mean(naiveMlp), 4);
    const windows = await patchWindows(onnx, model, task, { site: 'mlp_window', window: 3 });
    // A window of every layer's MLP output and every attention output together would be the clean run; MLPs alone are not,
    // but all three windows are the same (clipped) window here.
    expect(windows.metrics[0]).toBeCloseTo(windows.metrics[2], 5);
  });
});

describe('RunOptions.patchTensors', () => {
  const model = randomModel({ n_layers: 1 }, { seed: 1 });
  it('refuses tensors of the wrong shape on both runners, naming the hook and shapes', async () => {
    const bad = new Map([['blocks.0.attn.hook_z', { shape: [1, 3, 4, 4], keep: new Uint8Array(48), replacement: new Float32Array(48) }]]);
    const onnx = new OnnxRunner(model);
    runners.push(onnx);
    for (const runner of [onnx, new ReferenceRunner(model)]) {
      await expect(runner.run([[1, 2]], ['logits'], { patchTensors: bad })).rejects.toThrow(
        /patch tensors for blocks\.0\.attn\.hook_z: shape \[1, 3, 4, 4\].*expected \[1, 2, 4, 4\]/,
      );
    }
  });
});
