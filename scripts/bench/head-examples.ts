/**
 * Head-examples benchmark (numbers for issues 7 and 15):
 *
 *   npx tsx scripts/bench/head-examples.ts [model=stories260K] [corpus=data/corpora/tinystories-sample.txt] [documents=200] [repeats=3] [--ratio-only]
 *
 * model `gpt2-small-shaped`: GPT-2 small's shape with random weights (scripts/bench/shapes.ts) and the GPT-2 tokenizer
 * from ../shared/data (144 heads, d_model 768); give it fewer documents (e.g. 40) on a shared CPU.
 * 1. Scan throughput against its baseline, measured in the same run on the same runner: the plain hooked forward
 *    (hook_pattern + hook_result of every layer, the same contexts and batches), interleaved `repeats` times;
 *    prints scan / forward as ratios of wall time and of CPU time (this process, all threads: it varies much less than
 *    wall time when other processes share the cores), and the scan's host-side CPU time (everything outside
 *    runner.run: statistics, top lists, example windows) against the forward's. Target (issue 15): scan time /
 *    forward time ≤ 1.25, i.e. the scan at ≥ 0.8 × the forward's throughput.
 * 2. (unless --ratio-only) Live attention (lib/live, the custom-text path): the same 64- and 255-token texts run in the
 *    worker process (liveHeadAttention, one head) and in-process (runner.run, the baseline); prints live / in-process
 *    per length (the cost of tokenizing, the process hop and turning the pattern into rows). Medians of 10 warm requests.
 * Validation on known heads: scripts/dev/head-examples-validate.ts.
 */
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { randomModel } from '@/lib/engine/random-model';
import { loadGpt2Tokenizer } from '@/lib/tokenizers/gpt2-bpe';
import { LiveEngine } from '@/lib/live';
import { liveHeadAttention } from '@/lib/live/head-attention';
import { readDocuments } from '@/workers/corpus-files';
import { documentContexts } from '@/workers/head-examples/contexts';
import { finalizeHeadExamples } from '@/workers/head-examples/merge';
import { calibrateHeadExamples, scanHeadShard } from '@/workers/head-examples/scan';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS } from '@/workers/head-examples/types';
import { repoPath } from '../testing/shared-data';
import { GPT2_SMALL } from './shapes';

const ratioOnly = process.argv.includes('--ratio-only');
const [modelArg = 'stories260K', corpusArg = 'data/corpora/tinystories-sample.txt', docsArg = '200', repeatsArg = '3'] = process.argv
  .slice(2)
  .filter((a) => a !== '--ratio-only');
const { model, tokenizer } =
  modelArg === 'gpt2-small-shaped'
    ? { model: randomModel(GPT2_SMALL, { seed: 1 }), tokenizer: await loadGpt2Tokenizer(repoPath('../shared/data/tokenizers/gpt2')) }
    : await resolveModel(modelArg);
const cfg = model.cfg;
const texts = (await readDocuments(corpusArg)).slice(0, Number(docsArg));
const documents = texts.map((text, index) => ({ index, text }));
const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: Math.min(DEFAULT_HEAD_EXAMPLE_OPTIONS.contextLength, cfg.n_ctx) };
// One thread, as the live worker and a 2-core server run it; both sides of every ratio use this runner.
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

// --- 1. scan vs plain forward
const contexts = documents.flatMap((d) => documentContexts(tokenizer, d, options.contextLength)).filter((c) => c.tokenIds.length >= 2);
const hooks = Array.from({ length: cfg.n_layers }, (_, l) => [`blocks.${l}.attn.hook_pattern`, `blocks.${l}.attn.hook_result`]).flat();
const batches: number[][][] = [];
for (let i = 0; i < contexts.length; i += options.batchSize) {
  const batch = contexts.slice(i, i + options.batchSize);
  const seq = Math.max(...batch.map((c) => c.tokenIds.length));
  batches.push(batch.map((c) => [...c.tokenIds, ...new Array(seq - c.tokenIds.length).fill(tokenizer.eosId)]));
}
const tokens = contexts.reduce((a, c) => a + c.tokenIds.length - 1, 0);
console.log(
  `${cfg.model_name}: ${documents.length} documents, ${contexts.length} contexts, ${tokens} tokens, ${cfg.n_layers * cfg.n_heads} heads`,
);
const normRanges = await calibrateHeadExamples({ cfg, runner, tokenizer, documents, options });
await runner.run(batches[0], hooks); // warm the session
// The scan's runner, timed: CPU seconds inside run() (the forward and its in-graph reductions; onnxruntime-node blocks
// the JavaScript thread meanwhile); the rest of the scan's CPU time is the host's.
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
const forwardTimes: number[] = [];
const scanTimes: number[] = [];
const forwardCpu: number[] = [];
const scanCpu: number[] = [];
const hostShare: number[] = [];
for (let r = 0; r < Number(repeatsArg); r++) {
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  for (const b of batches) await runner.run(b, hooks);
  forwardTimes.push((performance.now() - t0) / 1000);
  forwardCpu.push(cpuSeconds(c0));
  t0 = performance.now();
  c0 = process.cpuUsage();
  insideRun = 0;
  finalizeHeadExamples(await scanHeadShard({ cfg, runner: timedRunner, tokenizer, documents, options, normRanges }));
  scanTimes.push((performance.now() - t0) / 1000);
  scanCpu.push(cpuSeconds(c0));
  hostShare.push((scanCpu[r] - insideRun) / forwardCpu[r]);
}
const rates = (seconds: number[]) =>
  `${seconds.map((s) => Math.round(tokens / s)).join(', ')} tokens/s (median ${Math.round(tokens / median(seconds))})`;
const ratios = (s: number[], f: number[]) =>
  `${(median(s) / median(f)).toFixed(2)} (per repeat: ${s.map((x, i) => (x / f[i]).toFixed(2)).join(', ')})`;
console.log(`plain hooked forward (baseline): ${rates(forwardTimes)}; per CPU second ${rates(forwardCpu)}`);
console.log(`head-examples scan + finalize:   ${rates(scanTimes)}; per CPU second ${rates(scanCpu)}`);
console.log(`scan time / forward time (wall): ${ratios(scanTimes, forwardTimes)}`);
console.log(`scan time / forward time (CPU):  ${ratios(scanCpu, forwardCpu)}`);
console.log(
  `host-side CPU / plain forward CPU: ${median(hostShare).toFixed(3)} (per repeat: ${hostShare.map((x) => x.toFixed(3)).join(', ')})`,
);
if (ratioOnly) {
  await runner.dispose();
  process.exit(0);
}

// --- 2. live attention vs in-process forward
const engine = new LiveEngine();
const words = texts.join(' ').split(/\s+/);
const textOfTokens = (n: number) => {
  // The longest prefix of the corpus' words that is at most n tokens with BOS.
  let lo = 1;
  let hi = Math.min(words.length, n);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tokenizer.encode(words.slice(0, mid).join(' '), { bos: true }).length <= n) lo = mid;
    else hi = mid - 1;
  }
  return words.slice(0, lo).join(' ');
};
const layer = cfg.n_layers - 1;
const resolveSource = async () => modelArg;
for (const n of [64, Math.min(255, cfg.n_ctx)]) {
  const text = textOfTokens(n);
  const ids = tokenizer.encode(text, { bos: true });
  await liveHeadAttention({ modelSlug: 'bench', text, layer, head: 0, engine, resolveSource }); // start the worker, load the model
  await runner.run([ids], [`blocks.${layer}.attn.hook_pattern`]);
  const live: number[] = [];
  const local: number[] = [];
  for (let i = 0; i < 10; i++) {
    let t0 = performance.now();
    await liveHeadAttention({ modelSlug: 'bench', text, layer, head: 0, engine, resolveSource });
    live.push(performance.now() - t0);
    t0 = performance.now();
    const cache = await runner.run([ids], [`blocks.${layer}.attn.hook_pattern`]);
    cache.get(`blocks.${layer}.attn.hook_pattern`);
    local.push(performance.now() - t0);
  }
  console.log(
    `live attention (what the custom-text box asks), ${ids.length} tokens, L${layer}H0: ${median(live).toFixed(1)} ms vs in-process forward ${median(local).toFixed(1)} ms ` +
      `(live / in-process ${(median(live) / median(local)).toFixed(2)})`,
  );
}
engine.close();
await runner.dispose();
