/**
 * Where a forward's memory goes: `npx tsx scripts/bench/forward-memory.ts [--model gpt2-small|pythia-70m]
 * [--arena on|off|auto] [--mem-pattern on|off] [--runs N] [--sets unhooked,typical,all] [--runners one|per-set]
 * [--batch 4] [--pos 128]`.
 *
 * Builds the model (random weights, a real shape), then for each hook set in turn: the session build and N runs,
 * printing after each step the resident set (RSS), the phase's own peak (the kernel's high-water mark, reset before
 * each phase through /proc/self/clear_refs) and what JavaScript holds (process.memoryUsage: ArrayBuffers, V8 heap),
 * next to the figures that explain them: the float32 weights and each hook set's outputs. Linux only (the peaks).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { OnnxRunner, type OnnxRunnerOptions } from '@/lib/engine/onnx-runner';
import { randomModel } from '@/lib/engine/random-model';
import { allHookNames, hookDims } from '@/lib/engine/hooks';
import { weightBytes } from '@/lib/engine/weight-feeds';
import { makeRng } from '@/lib/sampling/random';
import { GPT2_SMALL, PYTHIA_70M } from './shapes';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'gpt2-small' },
    arena: { type: 'string', default: 'auto' },
    runs: { type: 'string', default: '3' },
    sets: { type: 'string', default: 'unhooked,typical,all' },
    batch: { type: 'string', default: '4' },
    pos: { type: 'string', default: '128' },
    // One runner for every hook set (as the engine's callers do) or one per set (as scripts/bench/forward.ts does).
    runners: { type: 'string', default: 'one' },
    recycle: { type: 'boolean', default: true },
    'mem-pattern': { type: 'string', default: 'on' },
  },
});

const MB = 2 ** 20;
const mb = (b: number) => `${(b / MB).toFixed(0)}`;
const status = () => fs.readFileSync('/proc/self/status', 'utf8');
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1] ?? NaN) * 1024;
const resetPeak = () => fs.writeFileSync('/proc/self/clear_refs', '5');

function line(label: string): void {
  const m = process.memoryUsage();
  console.log(
    `${label.padEnd(34)} rss ${mb(kb('VmRSS')).padStart(6)}  phase peak ${mb(kb('VmHWM')).padStart(6)}  ` +
      `arrayBuffers ${mb(m.arrayBuffers).padStart(6)}  heapUsed ${mb(m.heapUsed).padStart(4)}`,
  );
}

async function main(): Promise<void> {
  const shape = args.model === 'pythia-70m' ? PYTHIA_70M : GPT2_SMALL;
  const batch = Number(args.batch);
  const pos = Number(args.pos);
  resetPeak();
  line('start');
  const model = randomModel(shape, { seed: 1 });
  const L = model.cfg.n_layers;
  const sets: Record<string, string[]> = {
    unhooked: ['logits'],
    typical: ['logits', ...Array.from({ length: L }, (_, l) => [`blocks.${l}.attn.hook_pattern`, `blocks.${l}.mlp.hook_post`]).flat()],
    all: allHookNames(model.cfg),
  };
  const outBytes = (hooks: string[]) =>
    hooks.reduce((sum, h) => {
      const dims = h === 'logits' ? [batch, pos, model.weights.get('unembed.W_U')!.shape[1]] : hookDims(model.cfg, h);
      return sum + 4 * dims.map((d) => (d === 'batch' ? batch : typeof d === 'number' ? d : pos)).reduce((a, b) => a * b, 1);
    }, 0);
  console.log(
    `${model.cfg.model_name}: float32 weights ${mb(weightBytes(model))} MB; batch ${batch} × ${pos}; outputs ` +
      Object.entries(sets)
        .map(([k, h]) => `${k} ${mb(outBytes(h))} MB`)
        .join(', ') +
      ` (MB below)`,
  );
  line('model built');
  const options: OnnxRunnerOptions = {
    ...(args.arena === 'auto' ? {} : { cpuMemArena: args.arena === 'on' }),
    memPattern: args['mem-pattern'] !== 'off',
  };
  const shared = new OnnxRunner(model, options);
  const runners: OnnxRunner[] = [];
  const rng = makeRng(7);
  const tokens = Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(model.cfg.d_vocab)));
  let overall = 0;
  for (const name of args.sets.split(',')) {
    const hooks = sets[name];
    const runner = args.runners === 'one' ? shared : new OnnxRunner(model, options);
    runners.push(runner);
    resetPeak();
    await runner.prepare(hooks);
    line(`${name}: session built`);
    overall = Math.max(overall, kb('VmHWM'));
    for (let i = 0; i < Number(args.runs); i++) {
      resetPeak();
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const cache = await runner.run(tokens, hooks);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      line(`${name}: run ${i + 1} (${ms.toFixed(0)} ms, cpu ${(cpu.user / 1000).toFixed(0)}+${(cpu.system / 1000).toFixed(0)} ms)`);
      overall = Math.max(overall, kb('VmHWM'));
      if (args.recycle) runner.recycle(cache);
    }
  }
  console.log(`overall peak RSS ${mb(overall)} MB (process high-water mark ${mb(process.resourceUsage().maxRSS * 1024)} MB)`);
  await Promise.all([...new Set([shared, ...runners])].map((r) => r.dispose()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
