/**
 * The weight-only stages of a run, JavaScript (before, issue 15) vs the engine (now), in one run on one machine:
 * `npx tsx scripts/bench/weight-products.ts [--quick]`.
 *  - the machine's matmul peak as onnxruntime reaches it (best of N, a 1024² MatMul: the physical limit compared with);
 *  - on the GPT-2-small shape (random weights, scripts/bench/shapes.ts): neuron weight effects (W_out·W_U and
 *    W_E·W_in per layer + top/bottom tokens), composition scores, their 200-draw random baseline, copying_full (W_U·W_E);
 *  - the engine's times are measured whole; the JavaScript references on a slice and scaled by the work they skip
 *    (they take hours whole: that is the point), each slice named in the output;
 *  - the engine's GFLOP/s and % of the peak, and what GPT-2 XL's weight stages would take at the same GFLOP/s.
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '@/lib/engine/onnx-builder';
import { chooseExecutionProviders } from '@/lib/engine/execution-provider';
import { randomModel } from '@/lib/engine/random-model';
import { releaseWeightProductSessions } from '@/lib/engine/weight-products';
import { allCompositionScores, randomCompositionBaseline } from '@/lib/metrics/composition/composition-scores';
import {
  factoredCompositionScore,
  headFactors,
  referenceRandomCompositionBaseline,
} from '@/lib/metrics/composition/composition-scores.reference';
import { copyingFullMetric } from '@/lib/metrics/heads/copying-full';
import { fullOvSmall, unembedEmbed } from '@/lib/metrics/heads/copying-full.reference';
import type { HeadMetricContext } from '@/lib/metrics/heads/types';
import type { ModelConfig } from '@/lib/models/types';
import { makeRng } from '@/lib/sampling/random';
import { layerWeightEffects } from '@/workers/neurons/weight-effects';
import { referenceLayerWeightEffects } from '@/workers/neurons/weight-effects.reference';
import { GPT2_SMALL } from './shapes';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });

async function matmulPeak(n: number, runs: number): Promise<number> {
  const b = new OnnxGraphBuilder('matmul-peak');
  const rng = makeRng(1);
  const x = b.input('x', 'float32', [n, n]);
  const w = b.floatInitializer(
    'w',
    Float32Array.from({ length: n * n }, () => rng.next() - 0.5),
    [n, n],
  );
  b.output(b.op('MatMul', [x, w], {}, 'y'), 'float32', [n, n]);
  const session = await ort.InferenceSession.create(b.toBytes(), {
    executionProviders: chooseExecutionProviders(),
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const input = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, () => rng.next() - 0.5),
    [n, n],
  );
  let best = Infinity;
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    await session.run({ x: input });
    if (i > 0) best = Math.min(best, performance.now() - t0);
  }
  await session.release();
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

async function time<T>(f: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

/** FLOPs of the engine's products (multiply-adds × 2), for GFLOP/s and the XL extrapolation. */
function flops(cfg: ModelConfig) {
  const { n_layers: L, n_heads: H, d_head: r, d_model: d, d_mlp: N, d_vocab: V } = cfg;
  let composition = 0;
  for (let l2 = 1; l2 < L; l2++) composition += 3 * 2 * (l2 * H * r) * d * (H * r);
  return {
    effects: L * 2 * (2 * N * d * V),
    composition,
    copying: 2 * d * V * d + L * H * (2 * r * d * d + 2 * r * d * r),
  };
}

const fmt = (ms: number) => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(2)} s`);

async function main() {
  const peak = await matmulPeak(1024, args.quick ? 3 : 10);
  console.log(`matmul peak (onnxruntime, 1024² @ 1024², best of ${args.quick ? 3 : 10}): ${peak.toFixed(1)} GFLOP/s`);
  const model = randomModel({ ...GPT2_SMALL, model_name: 'gpt2-small-shaped' }, { seed: 1 });
  const cfg = model.cfg;
  const { n_layers: L, n_heads: H, d_model: d, d_head: r, d_mlp: N, d_vocab: V } = cfg;
  const f = flops(cfg);
  const rows: { stage: string; jsMs: number; jsHow: string; engineMs: number; flop: number }[] = [];

  // Neuron weight effects. JavaScript: one layer cut to 32 neurons (cost linear in neurons), × N/32 × L.
  const sliceNeurons = 32;
  const slice = randomModel({ ...cfg, n_layers: 1, d_mlp: sliceNeurons, n_heads: 1, d_head: 8, n_ctx: 8 }, { seed: 2 });
  const js = await time(() => referenceLayerWeightEffects(slice, 0));
  const layersMeasured = args.quick ? 1 : L;
  const engine = await time(async () => {
    for (let l = 0; l < layersMeasured; l++) await layerWeightEffects(model, l);
  });
  rows.push({
    stage: 'neuron weight effects',
    jsMs: js.ms * (N / sliceNeurons) * L,
    jsHow: `${fmt(js.ms)} for ${sliceNeurons} neurons × ${(N / sliceNeurons) * L}`,
    engineMs: (engine.ms * L) / layersMeasured,
    flop: f.effects,
  });

  // Composition scores. JavaScript: 60 pairs, × 3 kinds × pairs.
  const pairs = 3 * ((L * (L - 1)) / 2) * H * H;
  const a = headFactors(cfg, model.weights, 0, 0);
  const b = headFactors(cfg, model.weights, 1, 1);
  const perPair = await time(() => {
    for (let i = 0; i < 60; i++) factoredCompositionScore(a.ov, i % 2 ? b.qk : b.ov);
  });
  const comp = await time(() => allCompositionScores(cfg, model.weights));
  rows.push({
    stage: 'composition scores',
    jsMs: (perPair.ms / 60) * pairs,
    jsHow: `${(perPair.ms / 60).toFixed(2)} ms per pair × ${pairs.toLocaleString()}`,
    engineMs: comp.ms,
    flop: f.composition,
  });

  // Random baseline, 200 draws. JavaScript: 10 draws × 20.
  const jsBase = await time(() => referenceRandomCompositionBaseline(d, r, 1, 10));
  const base = await time(() => randomCompositionBaseline(d, r, 1));
  rows.push({
    stage: 'composition baseline',
    jsMs: jsBase.ms * 20,
    jsHow: `${fmt(jsBase.ms)} for 10 draws × 20`,
    engineMs: base.ms,
    flop: 0,
  });

  // copying_full. JavaScript: W_U·W_E over 2,048 of the vocabulary (× V/2048) plus 12 heads' W_O (UE) W_V (× L·H/12).
  const ctx = { cfg, weights: model.weights } as HeadMetricContext;
  const vSlice = 2048;
  const cut = randomModel({ ...cfg, n_layers: 1, d_vocab: vSlice, d_mlp: 8, n_ctx: 8 }, { seed: 3 });
  const ue = await time(() => unembedEmbed(cut.cfg, cut.weights));
  const heads = await time(() => {
    for (let h = 0; h < 12; h++) fullOvSmall(cut.cfg, cut.weights, 0, h % cut.cfg.n_heads, ue.value);
  });
  const copying = await time(() => copyingFullMetric.compute(ctx));
  rows.push({
    stage: 'copying_full',
    jsMs: ue.ms * (V / vSlice) + heads.ms * ((L * H) / 12),
    jsHow: `W_U·W_E ${fmt(ue.ms)} per ${vSlice} tokens, ${fmt(heads.ms)} per 12 heads`,
    engineMs: copying.ms,
    flop: f.copying,
  });

  console.log(`\nGPT-2-small shape (${L} layers, ${H} heads, d_model ${d}, d_mlp ${N}, d_vocab ${V}), random weights:`);
  console.log(
    `${'stage'.padEnd(24)}${'JavaScript'.padStart(12)}${'engine'.padStart(10)}${'× faster'.padStart(10)}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}   JavaScript measured as`,
  );
  for (const row of rows) {
    const gflops = row.flop ? row.flop / (row.engineMs / 1000) / 1e9 : NaN;
    console.log(
      `${row.stage.padEnd(24)}${fmt(row.jsMs).padStart(12)}${fmt(row.engineMs).padStart(10)}${(row.jsMs / row.engineMs).toFixed(0).padStart(10)}` +
        `${(row.flop ? gflops.toFixed(0) : '–').padStart(9)}${(row.flop ? ((100 * gflops) / peak).toFixed(0) : '–').padStart(8)}   ${row.jsHow}`,
    );
  }
  const totalJs = rows.reduce((s, x) => s + x.jsMs, 0);
  const totalEngine = rows.reduce((s, x) => s + x.engineMs, 0);
  console.log(
    `${'total'.padEnd(24)}${fmt(totalJs).padStart(12)}${fmt(totalEngine).padStart(10)}${(totalJs / totalEngine).toFixed(0).padStart(10)}`,
  );

  // GPT-2 XL at the GFLOP/s measured here for each product.
  const xl = flops({ ...cfg, n_layers: 48, d_model: 1600, n_heads: 25, d_head: 64, d_mlp: 6400, d_vocab: 50257 });
  const rate = (row: (typeof rows)[number]) => row.flop / row.engineMs; // FLOP per ms
  console.log(
    `\nGPT-2 XL at these rates: neuron weight effects ${fmt(xl.effects / rate(rows[0]))}, composition ${fmt(xl.composition / rate(rows[1]))}, ` +
      `copying_full ${fmt(xl.copying / rate(rows[3]))} (${((xl.effects + xl.composition + xl.copying) / 1e12).toFixed(1)} TFLOP; at the peak: ` +
      `${fmt((xl.effects + xl.composition + xl.copying) / (peak * 1e6))})`,
  );
  console.log(
    `peak RSS: ${((process.resourceUsage().maxRSS * 1024) / 2 ** 30).toFixed(2)} GiB (float32 weights ${((4 * [...model.weights.values()].reduce((s, t) => s + t.data.length, 0)) / 2 ** 30).toFixed(2)} GiB)`,
  );
  await releaseWeightProductSessions();
}

await main();
