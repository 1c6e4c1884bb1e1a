/**
 * Forward-pass benchmark: `npx tsx scripts/bench/forward.ts [--quick] [--threads N] [--models …] [--weights inputs|initializers|both]
 * [--arena on|off|auto|both] [--reps N]`.
 *
 * In one run on one machine: the machine's matmul peak as onnxruntime reaches it (a big MatMul, best of N),
 * then for stories260K, a GPT-2-small-shaped and a Pythia-70m-shaped model (random weights, built in memory):
 * tokens/s of the unhooked forward (logits only), of the forward with every hook and with a typical scan's hooks
 * (every hook_pattern and mlp.hook_post), the hooked/unhooked time ratio, achieved GFLOP/s and % of the peak,
 * and peak memory. Times are best of N with the hook sets interleaved, so every ratio compares runs made under the
 * same machine load (the unhooked run of the same model, in the same process).
 *
 * FLOPs counted: 2 · (matmul parameters: W_Q/K/V/O, W_in, W_gate, W_out, W_U) per token, plus the attention
 * matmuls as computed (QKᵀ and pattern·V over the full pos × pos square: 4 · batch · heads · pos² · d_head per layer).
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import type { CanonicalModel, ModelConfig } from '@/lib/models/types';
import { loadLlama2c } from '@/lib/models/llama2c';
import { OnnxRunner, type OnnxRunnerOptions } from '@/lib/engine/onnx-runner';
import { OnnxGraphBuilder } from '@/lib/engine/onnx-builder';
import type { WeightStorage } from '@/lib/engine/onnx-graph';
import { randomModel } from '@/lib/engine/random-model';
import { allHookNames } from '@/lib/engine/hooks';
import { chooseExecutionProviders } from '@/lib/engine/execution-provider';
import { makeRng } from '@/lib/sampling/random';
import { repoPath } from '../testing/shared-data';
import { GPT2_SMALL, PYTHIA_70M } from './shapes';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    threads: { type: 'string' },
    spin: { type: 'boolean', default: false },
    // Where the weights live (lib/engine/onnx-graph.ts): graph inputs (the default), initializers (each session's
    // own copy, as before 2026-12), or both, each hook set timed both ways, interleaved (ratios in the same run).
    // `both` compares [in] = inputs with the arena setting of --arena against [init] = initializers with the arena
    // on (the engine as it was before issue 20), unless --same-arena.
    weights: { type: 'string', default: 'inputs' },
    'same-arena': { type: 'boolean', default: false },
    // Only these models (comma-separated: stories260K, pythia-70m, gpt2-small); default all.
    models: { type: 'string', default: 'stories260K,pythia-70m,gpt2-small' },
    reps: { type: 'string' },
    // onnxruntime's memory arena: on, off, auto (the runner's default) or both (each hook set timed with the arena
    // on and off, interleaved: ratios in the same run).
    arena: { type: 'string', default: 'auto' },
    // Any runner set-ups to compare, comma-separated (VARIANT_OPTIONS below), e.g. arena,no-arena-no-pattern.
    variants: { type: 'string' },
  },
});
const storages: WeightStorage[] = args.weights === 'both' ? ['inputs', 'initializers'] : [args.weights as WeightStorage];
if (!storages.every((s) => s === 'inputs' || s === 'initializers')) throw new Error(`--weights must be inputs, initializers or both`);
if (args.weights === 'both' && args.arena === 'both') throw new Error('--weights both and --arena both: one comparison at a time');
if (!['on', 'off', 'auto', 'both'].includes(args.arena!)) throw new Error('--arena must be on, off, auto or both');
const runnerOptions: OnnxRunnerOptions = {
  ...(args.threads ? { intraOpNumThreads: Number(args.threads) } : {}),
  allowSpinning: args.spin,
  ...(args.arena === 'on' || args.arena === 'off' ? { cpuMemArena: args.arena === 'on' } : {}),
};

/** One way of running a hook set: where the weights live and the runner options that go with it. */
interface Variant {
  /** Label suffix (empty when only one variant is timed). */
  tag: string;
  storage: WeightStorage;
  options: OnnxRunnerOptions;
}
/** Named runner set-ups for `--variants` (each hook set timed with each, interleaved). */
const VARIANT_OPTIONS: Record<string, Partial<Variant>> = {
  arena: { options: { cpuMemArena: true } },
  'no-arena': { options: { cpuMemArena: false } },
  'no-arena-no-pattern': { options: { cpuMemArena: false, memPattern: false } },
  'arena-no-pattern': { options: { cpuMemArena: true, memPattern: false } },
  inputs: { storage: 'inputs' },
  initializers: { storage: 'initializers' },
  'initializers-no-prepack': { storage: 'initializers', options: { disablePrepacking: true } },
};
const variantNames = args.variants?.split(',') ?? (args.arena === 'both' ? ['arena', 'no-arena'] : []);
const variants: Variant[] =
  variantNames.length > 0
    ? variantNames.map((name) => {
        const v = VARIANT_OPTIONS[name];
        if (!v) throw new Error(`--variants: unknown ${name} (known: ${Object.keys(VARIANT_OPTIONS).join(', ')})`);
        return { tag: ` [${name}]`, storage: v.storage ?? storages[0], options: { ...runnerOptions, ...v.options } };
      })
    : storages.map((storage) => ({
        tag: storages.length > 1 ? (storage === 'inputs' ? ' [in]' : ' [init]') : '',
        storage,
        // `both` compares weight inputs (arena per --arena) with initializers and the arena on, unless --same-arena.
        options:
          storage === 'initializers' && storages.length > 1 && !args['same-arena']
            ? { ...runnerOptions, cpuMemArena: true }
            : runnerOptions,
      }));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;

/** Best-of-N GFLOP/s of one [n, n] @ [n, n] MatMul (n = 1024: 2.1 GFLOP a run). */
async function matmulPeak(n: number, runs: number): Promise<number> {
  const b = new OnnxGraphBuilder('matmul-peak');
  const x = b.input('x', 'float32', [n, n]);
  const rng = makeRng(1);
  const w = b.floatInitializer(
    'w',
    Float32Array.from({ length: n * n }, () => rng.next() - 0.5),
    [n, n],
  );
  const y = b.op('MatMul', [x, w], {}, 'y');
  b.output(y, 'float32', [n, n]);
  const session = await ort.InferenceSession.create(b.toBytes(), {
    executionProviders: chooseExecutionProviders(),
    graphOptimizationLevel: 'all',
    ...(runnerOptions.intraOpNumThreads ? { intraOpNumThreads: runnerOptions.intraOpNumThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: args.spin ? '1' : '0' } } },
  });
  const input = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, () => rng.next() - 0.5),
    [n, n],
  );
  let best = Infinity;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    await session.run({ x: input });
    const dt = performance.now() - t0;
    if (i > 0) best = Math.min(best, dt); // the first run warms up
  }
  await session.release();
  return (2 * n * n * n) / (best / 1000) / 1e9;
}

function matmulParams(cfg: ModelConfig, width: number): number {
  const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M } = cfg;
  const attn = D * dh * (2 * H + 2 * KV);
  const mlp = cfg.attn_only ? 0 : D * M * (cfg.gated_mlp ? 3 : 2);
  return cfg.n_layers * (attn + mlp) + D * width;
}

function forwardFlops(model: CanonicalModel, batch: number, pos: number): number {
  const { cfg } = model;
  const width = model.weights.get('unembed.W_U')!.shape[1];
  return 2 * matmulParams(cfg, width) * batch * pos + cfg.n_layers * 4 * batch * cfg.n_heads * pos * pos * cfg.d_head;
}

interface Row {
  model: string;
  hooks: string;
  hookCount: number;
  tokensPerS: number;
  ratio: number;
  gflops: number;
  pctPeak: number;
  msPerForward: number;
  /** Best CPU time of one forward (all threads of the process; less sensitive to other processes than wall time). */
  cpuMsPerForward: number;
  sessionMs: number;
}

async function timeOne(runner: OnnxRunner, tokens: number[][], hooks: string[]): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const cache = await runner.run(tokens, hooks);
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  runner.recycle(cache); // the next run of this hook set writes into the same arrays
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function benchModel(name: string, model: CanonicalModel, batch: number, pos: number, reps: number, peak: number): Promise<Row[]> {
  const rng = makeRng(7);
  const tokens = Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(model.cfg.d_vocab)));
  const flops = forwardFlops(model, batch, pos);
  const L = model.cfg.n_layers;
  const baseSets: [string, string[]][] = [
    ['unhooked (logits)', ['logits']],
    [
      'typical scan',
      ['logits', ...Array.from({ length: L }, (_, l) => [`blocks.${l}.attn.hook_pattern`, `blocks.${l}.mlp.hook_post`]).flat()],
    ],
    ['all hooks', allHookNames(model.cfg)],
  ];
  const hookSets = variants.flatMap((variant) =>
    baseSets.map(([label, hooks]): [string, string[], Variant] => [`${label}${variant.tag}`, hooks, variant]),
  );
  // One runner (session) per hook set, all alive at once so that the repetitions can be interleaved: on a shared
  // machine the load changes from second to second, and interleaving exposes every hook set to the same load.
  // Best of N (like the matmul peak): the least-disturbed run is the closest to the machine's real cost.
  const runners = hookSets.map(([, , variant]) => new OnnxRunner(model, { ...variant.options, weightStorage: variant.storage }));
  try {
    const sessionMs: number[] = [];
    for (const [i, [, hooks]] of hookSets.entries()) {
      const t0 = performance.now();
      await runners[i].prepare(hooks);
      sessionMs.push(performance.now() - t0);
      await timeOne(runners[i], tokens, hooks); // warm-up: first-run allocations, thread start
    }
    const best = hookSets.map(() => Infinity);
    const bestCpu = hookSets.map(() => Infinity);
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, [, hooks]] of hookSets.entries()) {
        const { wall, cpu } = await timeOne(runners[i], tokens, hooks);
        best[i] = Math.min(best[i], wall);
        bestCpu[i] = Math.min(bestCpu[i], cpu);
      }
    }
    return hookSets.map(([label, hooks], i) => {
      const gflops = flops / (best[i] / 1000) / 1e9;
      console.error(
        `  ${name} ${label}: ${best[i].toFixed(0)} ms/forward (cpu ${bestCpu[i].toFixed(0)} ms), session ${sessionMs[i].toFixed(0)} ms`,
      );
      return {
        model: name,
        hooks: label,
        hookCount: hooks.length,
        tokensPerS: (batch * pos) / (best[i] / 1000),
        ratio: best[i] / best[i - (i % baseSets.length)],
        gflops,
        pctPeak: (100 * gflops) / peak,
        msPerForward: best[i],
        cpuMsPerForward: bestCpu[i],
        sessionMs: sessionMs[i],
      };
    });
  } finally {
    await Promise.all(runners.map((r) => r.dispose()));
  }
}

async function main(): Promise<void> {
  const quick = args.quick;
  const started = performance.now();
  console.error(
    `headwiki forward benchmark: ${navigatorInfo()}; providers ${chooseExecutionProviders().join(',')}${args.threads ? `, ${args.threads} threads` : ''}`,
  );
  const peak = await matmulPeak(1024, quick ? 3 : 10);
  console.error(`  matmul peak: ${peak.toFixed(1)} GFLOP/s (1024×1024 @ 1024×1024, best of ${quick ? 3 : 10})`);

  const rows: Row[] = [];
  const wanted = new Set(args.models.split(','));
  const reps = (n: number) => (args.reps ? Number(args.reps) : n);
  const rssAfter: Record<string, number> = {};
  if (wanted.has('stories260K')) {
    const stories = await loadLlama2c(repoPath('data/models/stories260K/stories260K.bin'));
    rows.push(...(await benchModel('stories260K', stories, 16, 256, reps(quick ? 3 : 8), peak)));
    rssAfter.stories260K = maxRssBytes();
  }
  if (wanted.has('pythia-70m')) {
    const pythia = randomModel(PYTHIA_70M, { seed: 2 });
    rows.push(...(await benchModel('pythia-70m-shaped', pythia, 4, 128, reps(quick ? 1 : 3), peak)));
    rssAfter['pythia-70m-shaped'] = maxRssBytes();
  }
  if (wanted.has('gpt2-small')) {
    const gpt2 = randomModel(GPT2_SMALL, { seed: 1 });
    rows.push(...(await benchModel('gpt2-small-shaped', gpt2, 4, 128, reps(quick ? 1 : 3), peak)));
    rssAfter['gpt2-small-shaped'] = maxRssBytes();
  }

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`\nmatmul peak (onnxruntime, 1024×1024 @ 1024×1024): ${peak.toFixed(1)} GFLOP/s`);
  console.log(
    `${'model'.padEnd(20)}${'hooks'.padEnd(26)}${pad('n', 5)}${pad('tokens/s', 11)}${pad('ms/fwd', 9)}${pad('×unhooked', 11)}${pad('GFLOP/s', 9)}${pad('% peak', 8)}${pad('cpu ms', 8)}${pad('session ms', 12)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(20)}${r.hooks.padEnd(26)}${pad(r.hookCount, 5)}${pad(r.tokensPerS.toFixed(0), 11)}${pad(r.msPerForward.toFixed(0), 9)}` +
        `${pad(r.ratio.toFixed(2), 11)}${pad(r.gflops.toFixed(1), 9)}${pad(r.pctPeak.toFixed(0), 8)}${pad(r.cpuMsPerForward.toFixed(0), 8)}${pad(r.sessionMs.toFixed(0), 12)}`,
    );
  }
  if (variants.length > 1) {
    // The first variant's time over each other's for the same model and hook set, wall and CPU (< 1: the first is
    // faster): weight inputs / initializers, arena / no arena…
    const first = variants[0].tag;
    for (const v of variants.slice(1)) {
      for (const r of rows.filter((x) => x.hooks.endsWith(v.tag))) {
        const base = rows.find((x) => x.model === r.model && x.hooks === r.hooks.replace(v.tag, first))!;
        console.log(
          `${r.model} ${r.hooks.replace(v.tag, '')}:${first} /${v.tag} time ${(base.msPerForward / r.msPerForward).toFixed(3)}, ` +
            `CPU ${(base.cpuMsPerForward / r.cpuMsPerForward).toFixed(3)}`,
        );
      }
    }
  }
  console.log(
    `peak RSS (process high-water mark) after each model: ${Object.entries(rssAfter)
      .map(([m, b]) => `${m} ${mb(b)}`)
      .join(', ')}`,
  );
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

function navigatorInfo(): string {
  const cpus = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] : undefined;
  return `${cpus ?? 'unknown CPU'}, ${os.cpus().length} logical cores, Node ${process.version}`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
