/**
 * Neuron explorer benchmark (numbers for the issue note):
 *
 *   npx tsx scripts/bench/neurons.ts [model=stories260K] [corpus=data/corpora/tinystories-sample.txt] [repeats=3] [--ratio-only] [--docs N]
 *       scan throughput vs the plain hooked forward (same hooks, same batches, same runner), interleaved
 *       `repeats` times, as ratios of wall-time and of CPU-time throughputs (target ≥ 0.8); --docs N: the corpus'
 *       first N documents. model `gpt2-small-shaped`: GPT-2 small's shape with random weights and the GPT-2
 *       tokenizer from ../shared/data (a research model's size: 24 sites × 3072 neurons). Also prints the scan's host-side
 *       statistics CPU time (the scan's CPU time outside runner.run, i.e. everything but the forward and its in-graph
 *       reductions) against the plain forward's CPU time (target ≤ 0.15 on the GPT-2-small shape).
 *       Then (unless --ratio-only) the whole neuron wiki (both bundled corpora, minimal examples)
 *       wall time; then peak memory of the scan over the corpus ×1 and ×10, each in a fresh process.
 *       e.g. `... ../shared/data/models/gelu-2l data/corpora/tinystories-sample.txt 3 --ratio-only` (a GELU model:
 *       sites post and pre, 4 × 1024 neurons)
 *   npx tsx scripts/bench/neurons.ts --memory <times> [model] [corpus] [documents]   peak memory of one scan over the
 *       first `documents` documents repeated `times` times (the main run spawns it for ×1 and ×10)
 *   npx tsx scripts/bench/neurons.ts --page <url> [requests=20] [baselineUrl]   server time of a neuron page (running server),
 *       interleaved with a baseline (default: the same neuron's API JSON, i.e. the database reads without rendering)
 */
import { spawnSync } from 'node:child_process';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { readDocuments } from '@/workers/corpus-files';
import { calibrateNeuronRanges, defaultScanOptions, scanNeuronShard } from '@/workers/neurons/scan';
import { batchContexts, buildContexts, type CorpusDoc } from '@/workers/neurons/contexts';
import { siteHook } from '@/lib/metrics/neurons/sites';
import { computeNeuronWiki } from '@/workers/neurons/compute';
import { randomModel } from '@/lib/engine/random-model';
import { loadGpt2Tokenizer } from '@/lib/tokenizers/gpt2-bpe';
import { repoPath } from '../testing/shared-data';
import { GPT2_SMALL } from './shapes';
import { encodeResult } from '@/lib/queue/result-codec';

const args = process.argv.slice(2);

async function loadModel(name: string) {
  if (name !== 'gpt2-small-shaped') return resolveModel(name);
  return { model: randomModel(GPT2_SMALL, { seed: 1 }), tokenizer: await loadGpt2Tokenizer(repoPath('../shared/data/tokenizers/gpt2')) };
}

async function setup(modelArg = 'stories260K', corpusArg = 'data/corpora/tinystories-sample.txt', times = 1, limit = Infinity) {
  const { model, tokenizer } = await loadModel(modelArg);
  const texts = (await readDocuments(corpusArg)).slice(0, limit);
  const docs: CorpusDoc[] = [];
  for (let t = 0; t < times; t++) texts.forEach((text) => docs.push({ index: docs.length, text }));
  const runner = await OnnxRunner.create(model);
  return { model, tokenizer, docs, runner };
}

if (args[0] === '--memory') {
  const times = Number(args[1]);
  const { model, tokenizer, docs, runner } = await setup(args[2], args[3], times, Number(args[4] ?? Infinity));
  const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs });
  const t0 = performance.now();
  const shard = await scanNeuronShard({ model, runner, tokenizer, docs, ranges });
  const s = (performance.now() - t0) / 1000;
  // Peak RSS (the scan's example tables are typed arrays, outside the JS heap), and the heap retained after a full GC
  // (what "bounded memory" means; heapUsed without a GC counts garbage), both before staging the result.
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage().heapUsed / 2 ** 20;
  const staged = encodeResult(shard).byteLength; // as the job queue stages a shard's result
  console.log(
    JSON.stringify({ times, tokens: shard.tokens, seconds: s, maxRssMiB, retainedHeapMiB: retained, stagedResultMiB: staged / 2 ** 20 }),
  );
  process.exit(0);
}

if (args[0] === '--page') {
  // Interleaved with a baseline URL (default: the same neuron's JSON from the API, i.e. the data reads alone).
  const url = args[1];
  const n = Number(args[2] ?? 20);
  const baseline = args[3] ?? url.replace(/\/models\/([^/]+)\/neurons\//, '/api/v1/models/$1/neurons/');
  const timeOf = async (u: string) => {
    const t0 = performance.now();
    const res = await fetch(u);
    const body = await res.text();
    if (!res.ok) throw new Error(`${u}: HTTP ${res.status}`);
    return { ms: performance.now() - t0, bytes: body.length };
  };
  const page: number[] = [];
  const base: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const p = await timeOf(url);
    page.push(p.ms);
    bytes = p.bytes;
    base.push((await timeOf(baseline)).ms);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  console.log(`${url}: ${n} requests, ${(bytes / 1024).toFixed(0)} KiB, median ${med(page).toFixed(1)} ms, p90 ${p90(page).toFixed(1)} ms`);
  console.log(`baseline ${baseline}: median ${med(base).toFixed(1)} ms; page / baseline ${(med(page) / med(base)).toFixed(2)}`);
  process.exit(0);
}

const ratioOnly = args.includes('--ratio-only');
const docsAt = args.indexOf('--docs');
const docLimit = docsAt >= 0 ? Number(args[docsAt + 1]) : Infinity;
const [modelArg, corpusArg, repeatsArg] = args.filter((a, i) => a !== '--ratio-only' && (docsAt < 0 || (i !== docsAt && i !== docsAt + 1)));
const { model, tokenizer, docs, runner } = await setup(modelArg, corpusArg, 1, docLimit);
const options = defaultScanOptions(model);
const hooks = options.layers.flatMap((l) => options.sites.map((s) => siteHook(l, s)));
const contexts = buildContexts(tokenizer, docs, options.contextLength);
const batches = batchContexts(contexts, options.batchSize, tokenizer.eosId);
const tokens = contexts.reduce((a, c) => a + c.tokens.length - 1, 0);
console.log(
  `${model.cfg.model_name}: ${docs.length} documents, ${contexts.length} contexts, ${tokens} tokens; hooks ${hooks.length} × d_mlp ${model.cfg.d_mlp}`,
);
const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs });
await runner.run(batches[0].padded, hooks); // warm the session

// Wall time, and this process' CPU time (all threads: onnxruntime's and JavaScript's), which varies much less than
// wall time when other processes share the cores.
const forwardRates: number[] = [];
const scanRates: number[] = [];
const forwardCpu: number[] = [];
const scanCpu: number[] = [];
const hostShare: number[] = [];
// The scan's runner, timed: CPU seconds spent inside run() (the forward and its in-graph reductions; onnxruntime-node
// blocks the JS thread meanwhile, so nothing else runs), the rest of the scan's CPU time is the host's statistics.
let insideRun = 0;
const timedRunner: typeof runner = Object.assign(Object.create(runner) as typeof runner, {
  run: async (...a: Parameters<typeof runner.run>) => {
    const c = process.cpuUsage();
    try {
      return await runner.run(...a);
    } finally {
      insideRun += cpuSeconds(c);
    }
  },
});
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
for (let r = 0; r < Number(repeatsArg ?? 3); r++) {
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  // Outputs recycled, as the scan does (no garbage per batch on either side).
  for (const b of batches) runner.recycle(await runner.run(b.padded, hooks));
  forwardRates.push(tokens / ((performance.now() - t0) / 1000));
  const forwardSeconds = cpuSeconds(c0);
  forwardCpu.push(tokens / forwardSeconds);
  t0 = performance.now();
  c0 = process.cpuUsage();
  insideRun = 0;
  await scanNeuronShard({ model, runner: timedRunner, tokenizer, docs, ranges });
  scanRates.push(tokens / ((performance.now() - t0) / 1000));
  const scanSeconds = cpuSeconds(c0);
  scanCpu.push(tokens / scanSeconds);
  hostShare.push((scanSeconds - insideRun) / forwardSeconds);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rates = (xs: number[]) => `${xs.map((x) => Math.round(x)).join(', ')} tokens/s (median ${Math.round(median(xs))})`;
const ratios = (s: number[], f: number[]) =>
  `${(median(s) / median(f)).toFixed(2)} (per repeat: ${s.map((x, i) => (x / f[i]).toFixed(2)).join(', ')})`;
console.log(`plain hooked forward: ${rates(forwardRates)}; per CPU second ${rates(forwardCpu)}`);
console.log(`neuron scan:          ${rates(scanRates)}; per CPU second ${rates(scanCpu)}`);
console.log(`scan / forward (wall time): ${ratios(scanRates, forwardRates)}`);
console.log(`scan / forward (CPU time):  ${ratios(scanCpu, forwardCpu)}`);
console.log(
  `host-side statistics CPU / plain forward CPU: ${median(hostShare).toFixed(3)} (per repeat: ${hostShare.map((x) => x.toFixed(3)).join(', ')})`,
);

if (ratioOnly) {
  await runner.dispose();
  process.exit(0);
}
const code = await readDocuments('data/corpora/python-stdlib-sample.txt');
const t0 = performance.now();
const wikis = await computeNeuronWiki({
  model,
  runner,
  tokenizer,
  corpora: [
    { slug: 'stories', documents: docs.map((d) => d.text) },
    { slug: 'code', documents: code },
  ],
});
const wikiSeconds = (performance.now() - t0) / 1000;
const neurons = wikis[0].layers.flatMap((l) => l.neurons);
const minimal = neurons.flatMap((n) => n.minimal ?? []);
const shorter = minimal.filter((m) => m.length !== null && m.length < m.available).length;
console.log(
  `bundled neuron wiki (stories ${wikis[0].tokens} + code ${wikis[1].tokens} tokens, minimal examples): ${wikiSeconds.toFixed(1)} s; ` +
    `minimal suffix exists for ${shorter}/${minimal.length} top examples (${((100 * shorter) / minimal.length).toFixed(0)} %), ` +
    `median length ${median(minimal.filter((m) => m.length !== null).map((m) => m.length!))} tokens; ` +
    `${neurons.filter((n) => n.comparison?.warning).length}/${neurons.length} neurons get a dataset warning`,
);
await runner.dispose();

for (const times of [1, 10]) {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      'scripts/bench/neurons.ts',
      '--memory',
      String(times),
      modelArg ?? 'stories260K',
      corpusArg ?? 'data/corpora/tinystories-sample.txt',
    ],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  console.log(`memory, corpus ×${times}: ${child.stdout.trim()}`);
}
