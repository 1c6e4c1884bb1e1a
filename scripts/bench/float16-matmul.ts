/**
 * Is float16 compute worth it on the CPU? `npx tsx scripts/bench/float16-matmul.ts [--rounds 3] [--threads 0]`
 * times onnxruntime's CPU MatMul on GPT-2-small-shaped products ([512, 768] · [768, 3072] and back), float32 vs
 * float16 weights, interleaved in one process (ratios within one run: the machine is shared and noisy):
 *  - f32:   float32 activations · float32 weights (what the CPU graph computes by default);
 *  - f16:   Cast(x → float16) · float16 weights, Cast back to float32 (what a float16 graph asks for, per MatMul).
 * onnxruntime's x86 CPU provider has no float16 MatMul kernel: it rewrites the f16 graph to Cast(w → float32) and a
 * float32 MatMul (dropping the activation's cast), so `f16` times 16-bit weights widened on every run. Prints wall and
 * process CPU time per product, GFLOP/s, and the f16 result's largest difference from f32 relative to the output's
 * scale (the weights' rounding to float16 only). The answer decides lib/engine/precision.ts' CPU default.
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '@/lib/engine/onnx-builder';
import { floatToHalf } from '@/lib/models/safetensors-write';
import { makeRng } from '@/lib/sampling/random';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: '0' } } });
const rounds = Number(args.rounds);
const threads = Number(args.threads);

function random(n: number, scale: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() - 0.5) * scale);
}

function toHalf(data: Float32Array): Uint16Array {
  return Uint16Array.from(data, (v) => floatToHalf(v));
}

async function session(M: number, K: number, N: number, half: boolean): Promise<ort.InferenceSession> {
  const b = new OnnxGraphBuilder('matmul');
  const x = b.input('x', 'float32', [M, K]);
  const w = b.weightInput('w', [K, N], half ? 'float16' : 'float32');
  if (half) b.cast(b.op('MatMul', [b.cast(x, 'float16'), w]), 'float32', 'y');
  else b.op('MatMul', [x, w], {}, 'y');
  b.output('y', 'float32', [M, N]);
  return ort.InferenceSession.create(b.toBytes(), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
  });
}

async function main(): Promise<void> {
  console.log(`onnxruntime-node ${ort.env.versions.common}, CPU provider, intraOpNumThreads ${threads || 'default'}, ${rounds} rounds`);
  for (const [M, K, N] of [
    [512, 768, 3072],
    [512, 3072, 768],
  ]) {
    const xData = random(M * K, 2, 1);
    const wData = random(K * N, 0.1, 2);
    const x = new ort.Tensor('float32', xData, [M, K]);
    const w32 = new ort.Tensor('float32', wData, [K, N]);
    const w16 = new ort.Tensor('float16', toHalf(wData), [K, N]);
    const s32 = await session(M, K, N, false);
    const s16 = await session(M, K, N, true);
    const y32 = (await s32.run({ x, w: w32 })).y.data as Float32Array;
    const y16 = (await s16.run({ x, w: w16 })).y.data as Float32Array;
    let maxErr = 0;
    let scale = 0;
    for (let i = 0; i < y32.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(y32[i] - y16[i]));
      scale = Math.max(scale, Math.abs(y32[i]));
    }
    const flop = 2 * M * K * N;
    const stats = { f32: [] as number[], f16: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      for (const [label, s, w] of [
        ['f32', s32, w32],
        ['f16', s16, w16],
      ] as const) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await s.run({ x, w });
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        stats[label].push(wall);
        console.log(
          `[${M}, ${K}]·[${K}, ${N}] ${label} round ${r + 1}: wall ${wall.toFixed(1)} ms, CPU ${((c.user + c.system) / 1000).toFixed(1)} ms, ` +
            `${(flop / wall / 1e6).toFixed(1)} GFLOP/s`,
        );
      }
      console.log(`  f16/f32 wall ratio round ${r + 1}: ${(stats.f16[r] / stats.f32[r]).toFixed(2)}`);
    }
    const ratios = stats.f16.map((t, i) => t / stats.f32[i]);
    console.log(
      `[${M}, ${K}]·[${K}, ${N}]: f16/f32 wall ratio ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; ` +
        `max |f16 − f32| = ${maxErr.toExponential(2)} (${((100 * maxErr) / scale).toFixed(3)} % of max |y| ${scale.toFixed(2)})`,
    );
    await s32.release();
    await s16.release();
  }
}

void main();
