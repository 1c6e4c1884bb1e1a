/**
 * 16-bit weights on the CPU: `npx tsx scripts/bench/float16-forward.ts [--shape gpt2-small|gpt2-medium|gpt2-xl] [--batch 4]
 * [--pos 128] [--reps 3] [--arena auto|on|off] [--modes f32,f16]`.
 *
 * For a random-weight model of a real shape (scripts/bench/shapes.ts), each mode in its own child process (so each
 * peak is its own):
 *  - f32:  the float32 graph over float32 weights (the CPU default);
 *  - f16:  the same weights narrowed in place to float16 (keepWeightsFloat16, lib/engine/float16-weights.ts) and the
 *          float16 graph (onnxruntime's CPU provider widens each weight to float32 for its MatMul).
 * Prints the weights' bytes, RSS once the weights are in place, the highest RSS sampled during the forwards, forward
 * time with a typical scan's hooks (logits, every attn.hook_pattern and mlp.hook_post) per rep, with process CPU time,
 * and the f16/f32 ratios. Ratios within one invocation only (the machine is shared and noisy). Random weights are made
 * in float32 first, so the f16 child's load peak is the float32 size: the figure that matters is the steady state.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { keepWeightsFloat16, keptWeightBytes } from '@/lib/engine/float16-weights';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { weightPrecision } from '@/lib/engine/precision';
import { checkSupportedConfig } from '@/lib/engine/onnx-graph';
import { TINY_CONFIG, randomModel } from '@/lib/engine/random-model';
import { weightBytes } from '@/lib/engine/weight-feeds';
import type { ModelConfig } from '@/lib/models/types';
import { makeRng } from '@/lib/sampling/random';
import { GPT2_SMALL } from './shapes';

const GPT2_XL: Partial<ModelConfig> = {
  ...GPT2_SMALL,
  model_name: 'gpt2-xl-shaped',
  n_layers: 48,
  d_model: 1600,
  n_heads: 25,
  n_key_value_heads: 25,
  d_mlp: 6400,
};
const GPT2_MEDIUM: Partial<ModelConfig> = {
  ...GPT2_SMALL,
  model_name: 'gpt2-medium-shaped',
  n_layers: 24,
  d_model: 1024,
  n_heads: 16,
  n_key_value_heads: 16,
  d_mlp: 4096,
};
const SHAPES: Record<string, Partial<ModelConfig>> = { 'gpt2-small': GPT2_SMALL, 'gpt2-medium': GPT2_MEDIUM, 'gpt2-xl': GPT2_XL };

const { values: args } = parseArgs({
  options: {
    shape: { type: 'string', default: 'gpt2-small' },
    batch: { type: 'string', default: '4' },
    pos: { type: 'string', default: '128' },
    reps: { type: 'string', default: '3' },
    arena: { type: 'string', default: 'auto' },
    modes: { type: 'string', default: 'f32,f16' },
    child: { type: 'string' },
  },
});

const GB = 1e9;

async function child(mode: 'f32' | 'f16'): Promise<void> {
  const shape = SHAPES[args.shape!];
  if (!shape) throw new Error(`--shape must be one of ${Object.keys(SHAPES).join(', ')}`);
  checkSupportedConfig({ ...TINY_CONFIG, ...shape }); // before minutes of random weights
  const model = randomModel(shape, { seed: 1 });
  const float32Bytes = weightBytes(model);
  const kept = mode === 'f16' ? keepWeightsFloat16(model) : null;
  if (kept && !kept.kept) throw new Error(kept.why);
  global.gc?.();
  const rssWeights = process.memoryUsage().rss;
  const hooks = [
    'logits',
    ...Array.from({ length: model.cfg.n_layers }, (_, l) => [`blocks.${l}.attn.hook_pattern`, `blocks.${l}.mlp.hook_post`]).flat(),
  ];
  const arena = args.arena === 'auto' ? {} : { cpuMemArena: args.arena === 'on' };
  const runner = new OnnxRunner(model, { executionProviders: ['cpu'], ...arena });
  await runner.prepare(hooks);
  const rng = makeRng(3);
  const tokens = Array.from({ length: Number(args.batch) }, () =>
    Array.from({ length: Number(args.pos) }, () => rng.int(model.cfg.d_vocab)),
  );
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const times: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < Number(args.reps); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const cache = await runner.run(tokens, hooks);
    const c = process.cpuUsage(c0);
    times.push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
    runner.recycle(cache);
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const record = weightPrecision(model, runner);
  await runner.dispose();
  console.log(JSON.stringify({ mode, float32Bytes, heldBytes: keptWeightBytes(model), rssWeights, peak, times, record }));
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  console.log(
    `float16 forward benchmark: ${args.shape}, batch ${args.batch} × ${args.pos}, ${args.reps} reps, CPU provider, arena ${args.arena}`,
  );
  const results: Record<
    string,
    { float32Bytes: number; heldBytes: number; rssWeights: number; peak: number; times: Array<{ wall: number; cpu: number }> }
  > = {};
  for (const mode of args.modes!.split(',') as Array<'f32' | 'f16'>) {
    const run = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        '--expose-gc',
        self,
        '--child',
        mode,
        '--shape',
        args.shape!,
        '--batch',
        args.batch!,
        '--pos',
        args.pos!,
        '--reps',
        args.reps!,
        '--arena',
        args.arena!,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    );
    const line = run.stdout.trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !line.startsWith('{'))
      throw new Error(`${mode} child failed (exit ${run.status}${run.signal ? `, ${run.signal}` : ''})`);
    const r = JSON.parse(line);
    results[mode] = r;
    console.log(
      `${mode}: weights held ${(r.heldBytes / GB).toFixed(2)} GB (float32 ${(r.float32Bytes / GB).toFixed(2)} GB); RSS with weights ` +
        `${(r.rssWeights / GB).toFixed(2)} GB; peak RSS during forwards ${(r.peak / GB).toFixed(2)} GB = ${(r.peak / r.float32Bytes).toFixed(2)}× float32 weights; ` +
        `forwards ${r.times.map((t: { wall: number; cpu: number }) => `${(t.wall / 1000).toFixed(2)} s (CPU ${(t.cpu / 1000).toFixed(2)} s)`).join(', ')}`,
    );
    console.log(`   recorded: ${JSON.stringify(r.record)}`);
  }
  if (!results.f32 || !results.f16) return;
  const best = (mode: string) => Math.min(...results[mode].times.map((t) => t.wall));
  const bestCpu = (mode: string) => Math.min(...results[mode].times.map((t) => t.cpu));
  console.log(
    `f16/f32: weights held ${(results.f16.heldBytes / results.f32.heldBytes).toFixed(2)}, RSS with weights ${(results.f16.rssWeights / results.f32.rssWeights).toFixed(2)}, ` +
      `peak RSS ${(results.f16.peak / results.f32.peak).toFixed(2)}, best forward wall ${(best('f16') / best('f32')).toFixed(2)}, CPU ${(bestCpu('f16') / bestCpu('f32')).toFixed(2)}`,
  );
}

if (args.child) void child(args.child as 'f32' | 'f16');
else main();
