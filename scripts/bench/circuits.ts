/**
 * Circuit benchmark: `npx tsx scripts/bench/circuits.ts [--models planted-ioi,ioi-4l,stories260K,gpt2-small] [--pairs 8]
 * [--gpt2-receivers 3] [--gpt2-discovery-pairs 1] [--stories-receivers 0] [--discovery-only] [--edges]`.
 *
 * For each model, in one process: a full head-patching sweep (every head's output, all positions), direct path patching
 * (every head → logits) and ACDC circuit discovery, each with its forward passes and wall time, against what a
 * one-at-a-time implementation needs — TransformerLens' generic_activation_patch runs one forward per patched cell
 * (prompt pairs batched), ACDC one forward per edge test. The one-at-a-time wall time is MEASURED on a sample of cells
 * in the same process (patching through the public interventions API, one forward per cell) and scaled to the grid;
 * for discovery, on a sample of edge tests each run alone (one forward of the prompt pairs, the same in-graph edge
 * patching) and scaled to the edges tested. CPU time (process.cpuUsage, all threads) is printed beside wall time.
 * On the GPT-2-small shape (random weights) discovery stops after --gpt2-receivers receivers (logits first), and on
 * stories260K after --stories-receivers when given: the output says so (partial, not the whole graph). The physical floor is one forward of the whole patched batch: the
 * sweep's rows (cells × pairs) cost at least rows/batch forwards of the batch size used.
 */
import { parseArgs } from 'node:util';
import type { CanonicalModel } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import { loadLlama2c } from '@/lib/models/llama2c';
import { loadLlama2cTokenizer } from '@/lib/tokenizers/llama2c';
import { loadGpt2Tokenizer } from '@/lib/tokenizers/gpt2-bpe';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { randomModel } from '@/lib/engine/random-model';
import { buildTask } from '@/lib/circuits/tasks';
import { CountingRunner } from '@/lib/circuits/metric';
import { patchHeads } from '@/lib/circuits/patching/sweeps';
import { pathPatch } from '@/lib/circuits/path-patching';
import { discoverCircuit } from '@/lib/circuits/discovery/acdc';
import { ConfigurationEvaluator, edgeRowsPerBatch } from '@/lib/circuits/discovery/evaluate';
import { edgeKey, receiversInReverseOrder } from '@/lib/circuits/discovery/graph';
import { resolveModel } from '@/lib/models/registry';
import type { Task } from '@/lib/circuits/types';
import { buildPlantedIoiModel } from '@/lib/testing/planted-circuits';
import { repoPath, sharedDataDir, sharedDataPath } from '../testing/shared-data';
import { GPT2_SMALL } from './shapes';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'planted-ioi,ioi-4l,stories260K,gpt2-small' },
    pairs: { type: 'string', default: '8' },
    'gpt2-receivers': { type: 'string', default: '3' },
    // Prompt pairs for the GPT-2-small-shaped discovery (a whole-graph ACDC there is hours of CPU).
    'gpt2-discovery-pairs': { type: 'string', default: '1' },
    // Stop stories260K's discovery after this many receivers (0: the whole graph).
    'stories-receivers': { type: 'string', default: '0' },
    'naive-sample': { type: 'string', default: '6' },
    // Only discovery (skip the head sweep and path patching).
    'discovery-only': { type: 'boolean', default: false },
    // Print the discovered edges.
    edges: { type: 'boolean', default: false },
  },
});
const pairs = Number(args.pairs);

function taskFor(kind: 'ioi' | 'induction', tokenizer: Tokenizer): Task {
  const build = buildTask(kind, tokenizer, { count: pairs, seed: 1 });
  if (!build.ok) throw new Error(`${kind}: ${build.reason}`);
  // One template length, so that every row of the sweep shares one batch shape.
  const len = build.task.pairs[0].clean.length;
  return { ...build.task, pairs: build.task.pairs.filter((p) => p.clean.length === len) };
}

/** One forward per cell through the public interventions API (pairs batched): TransformerLens' way. */
async function naiveCellSeconds(runner: OnnxRunner, task: Task, cells: Array<{ layer: number; head: number }>): Promise<number> {
  const clean = await runner.run(
    task.pairs.map((p) => p.clean),
    cells.map((c) => `blocks.${c.layer}.attn.hook_z`),
  );
  const t0 = performance.now();
  for (const c of cells) {
    const hook = `blocks.${c.layer}.attn.hook_z`;
    await runner.run(
      task.pairs.map((p) => p.corrupted),
      ['logits'],
      { interventions: [{ hook, kind: 'patch', head: c.head, value: clean.get(hook)! }] },
    );
  }
  return (performance.now() - t0) / 1000 / cells.length;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const cpuSeconds = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};

/** Wall and CPU seconds of one edge test run alone (one forward of the task's pairs), over a sample of edges. */
async function naiveEdgeTestSeconds(
  runner: OnnxRunner,
  model: CanonicalModel,
  task: Task,
  sample: number,
): Promise<{ wall: number; cpu: number }> {
  const receivers = receiversInReverseOrder(model.cfg);
  const ev = new ConfigurationEvaluator(runner, model, task.pairs, receivers, task.metric);
  const keys = receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r)));
  const picked = Array.from({ length: sample }, (_, i) => keys[Math.floor((i * keys.length) / sample)]);
  const none = new Set<string>();
  await ev.evaluate([{ removed: none, also: [picked[0]] }]); // warm (sources, session)
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const k of picked) await ev.evaluate([{ removed: none, also: [k] }]);
  return { wall: seconds(t0) / sample, cpu: cpuSeconds(c0) / sample };
}

async function bench(name: string, model: CanonicalModel, task: Task, discoveryOpts: { receivers?: number; pairs?: number } = {}) {
  const runner = new OnnxRunner(model);
  if (!args['discovery-only']) await sweepAndPathPatching(name, runner, model, task);
  await discovery(name, runner, model, task, discoveryOpts);
  await runner.dispose();
}

async function sweepAndPathPatching(name: string, runner: OnnxRunner, model: CanonicalModel, task: Task) {
  const { n_layers: L, n_heads: H } = model.cfg;
  const counted = new CountingRunner(runner);
  // Warm the sessions once (session builds are not what is measured), then time.
  await patchHeads(counted, model, { ...task, pairs: task.pairs.slice(0, 1) });
  let t0 = performance.now();
  const sweep = await patchHeads(runner, model, task);
  const sweepS = (performance.now() - t0) / 1000;
  const sample = Array.from({ length: Math.min(Number(args['naive-sample']), L * H) }, (_, i) => ({
    layer: Math.floor((i * L) / Number(args['naive-sample'])) % L,
    head: i % H,
  }));
  await naiveCellSeconds(runner, task, sample.slice(0, 1)); // warm
  const perCell = await naiveCellSeconds(runner, task, sample);
  const naiveS = perCell * L * H;
  console.log(
    `${name}: head sweep ${L}×${H} cells × ${task.pairs.length} pairs (len ${task.pairs[0].clean.length}): ${sweep.forwardPasses} forwards, ${sweepS.toFixed(2)} s | ` +
      `one forward per cell: ${L * H + 2} forwards, ${naiveS.toFixed(2)} s (measured ${(perCell * 1000).toFixed(1)} ms/cell × ${L * H}) | ` +
      `forwards ratio ${((L * H + 2) / sweep.forwardPasses).toFixed(1)}×, wall ratio ${(naiveS / sweepS).toFixed(2)}× | one forward per row: ${sweep.naiveForwardPasses}`,
  );
  t0 = performance.now();
  const direct = await pathPatch(runner, model, task, { receiver: { kind: 'logits' } });
  const directS = (performance.now() - t0) / 1000;
  console.log(
    `${name}: path patching head → logits: ${direct.forwardPasses} forwards, ${directS.toFixed(2)} s (one forward per sender: ${L * H + 2})`,
  );
}

async function discovery(
  name: string,
  runner: OnnxRunner,
  model: CanonicalModel,
  task: Task,
  discovery: { receivers?: number; pairs?: number },
) {
  const discoveryTask = discovery.pairs ? { ...task, pairs: task.pairs.slice(0, discovery.pairs) } : task;
  // Warm discovery's sessions (the sources' run and the edge-patched graph) on its first receiver, then time.
  await discoverCircuit(runner, model, discoveryTask, { threshold: 0.05, onReceiver: () => true });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const circuit = await discoverCircuit(runner, model, discoveryTask, {
    threshold: 0.05,
    onReceiver: discovery.receivers ? (done) => done >= discovery.receivers! : undefined,
  });
  const discS = seconds(t0);
  const discCpu = cpuSeconds(c0);
  if (args.edges) console.log(circuit.edges.map((e) => `${e.from}>${e.to}:${e.channel} ${e.effect.toFixed(3)}`).join('\n'));
  const receivers = receiversInReverseOrder(model.cfg);
  const done = circuit.incomplete?.receiversDone ?? receivers.length;
  // ACDC one at a time: the clean and corrupted runs, then one forward per edge test.
  const edgeTests = receivers.slice(0, done).reduce((n, r) => n + r.senders.length, 0);
  const naiveForwards = edgeTests + 2;
  const { wall: perTest, cpu: perTestCpu } = await naiveEdgeTestSeconds(runner, model, discoveryTask, Number(args['naive-sample']));
  const part = circuit.incomplete ? ` (PARTIAL: stopped after ${done} of ${receivers.length} receivers, logits first)` : ' (whole graph)';
  console.log(
    `${name}: discovery${part}, ${discoveryTask.pairs.length} prompt pairs: ${circuit.forwardPasses} forwards, ${discS.toFixed(1)} s wall, ${discCpu.toFixed(1)} s CPU | ` +
      `one forward per edge test: ${naiveForwards} forwards (${edgeTests} edge tests + clean + corrupted), ${(perTest * edgeTests).toFixed(1)} s wall, ` +
      `${(perTestCpu * edgeTests).toFixed(1)} s CPU (measured ${(perTest * 1000).toFixed(1)} ms wall, ${(perTestCpu * 1000).toFixed(1)} ms CPU per test × ${edgeTests}) | ` +
      `forwards ratio ${(naiveForwards / circuit.forwardPasses).toFixed(1)}×, wall ratio ${((perTest * edgeTests) / discS).toFixed(2)}×, ` +
      `CPU ratio ${((perTestCpu * edgeTests) / discCpu).toFixed(2)}× | ${circuit.edges.length} of ${circuit.edgesConsidered} edges kept, ` +
      `circuit metric ${circuit.circuitMetric.toFixed(3)} (clean ${circuit.cleanMetric.toFixed(3)}, corrupted ${circuit.corruptedMetric.toFixed(3)})`,
  );
  if (circuit.incomplete) {
    // What the whole graph needs at least: each receiver's edge tests as full batches (joint tests ride along).
    const rows = edgeRowsPerBatch(model.cfg, discoveryTask.pairs[0].clean.length);
    const floor = receivers.reduce((n, r) => n + Math.ceil((r.senders.length * discoveryTask.pairs.length) / rows), 1);
    const allTests = receivers.reduce((n, r) => n + r.senders.length, 0);
    console.log(
      `${name}: whole-graph discovery would need ≥ ${floor} forwards (${rows} rows per forward) vs ${allTests + 2} one forward per edge test ` +
        `(${((allTests + 2) / floor).toFixed(1)}×), before any one-at-a-time fallback`,
    );
  }
}

async function main() {
  const wanted = new Set(args.models!.split(','));
  console.log(
    `circuits benchmark: ${pairs} prompt pairs; timings in one process, ratios within this run (the machine is shared and noisy)`,
  );
  if (wanted.has('planted-ioi')) {
    const { model, tokenizer } = buildPlantedIoiModel();
    await bench('planted-ioi (4×3 heads)', model as CanonicalModel, taskFor('ioi', tokenizer));
  }
  if (wanted.has('ioi-4l')) {
    const { model, tokenizer } = await resolveModel('ioi-4l');
    await bench('ioi-4l (bundled, 4×2 heads + MLPs)', model, taskFor('ioi', tokenizer));
  }
  if (wanted.has('stories260K')) {
    const model = await loadLlama2c(repoPath('data/models/stories260K/stories260K.bin'));
    const tokenizer = await loadLlama2cTokenizer(repoPath('data/models/stories260K/tok512.bin'));
    const receivers = Number(args['stories-receivers']);
    await bench('stories260K (5×8 heads, induction task)', model, taskFor('induction', tokenizer), {
      receivers: receivers > 0 ? receivers : undefined,
    });
  }
  if (wanted.has('gpt2-small')) {
    const model = randomModel(GPT2_SMALL, { seed: 1 });
    const task = sharedDataDir()
      ? taskFor('ioi', await loadGpt2Tokenizer(sharedDataPath('tokenizers/gpt2')))
      : taskFor('induction', { ...fakeTokenizer(model.cfg.d_vocab) });
    await bench('gpt2-small-shaped (12×12 heads, random weights, IOI prompts)', model, task, {
      receivers: Number(args['gpt2-receivers']) || undefined,
      pairs: Number(args['gpt2-discovery-pairs']),
    });
  }
}

function fakeTokenizer(vocab: number): Tokenizer {
  return {
    vocabSize: vocab,
    bosId: 0,
    eosId: 1,
    specialIds: new Set([0, 1]),
    encode: () => [],
    decode: () => '',
    piece: (id) => String(id),
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
