/**
 * Head-examples benchmark (numbers for issue 7's note):
 *
 *   npx tsx scripts/bench/head-examples.ts [model=stories260K] [corpus=data/corpora/tinystories-sample.txt] [documents=200] [repeats=3]
 *
 * 1. Scan throughput against its baseline, measured in the same run on the same runner: the plain hooked forward
 *    (hook_pattern + hook_result of every layer, the same contexts and batches), interleaved `repeats` times;
 *    prints scan / forward. The scan's own cost is everything above 1.
 * 2. Live attention (lib/live, the custom-text path): the same 64- and 255-token texts run in the worker process
 *    (liveHeadAttention, one head) and in-process (runner.run, the baseline); prints live / in-process per length
 *    (the cost of tokenizing, the process hop and turning the pattern into rows). Medians of 10 warm requests each.
 * Validation on known heads: scripts/dev/head-examples-validate.ts.
 */
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { LiveEngine } from '@/lib/live';
import { liveHeadAttention } from '@/lib/live/head-attention';
import { readDocuments } from '@/workers/corpus-files';
import { documentContexts } from '@/workers/head-examples/contexts';
import { finalizeHeadExamples } from '@/workers/head-examples/merge';
import { calibrateHeadExamples, scanHeadShard } from '@/workers/head-examples/scan';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS } from '@/workers/head-examples/types';

const [modelArg = 'stories260K', corpusArg = 'data/corpora/tinystories-sample.txt', docsArg = '200', repeatsArg = '3'] =
  process.argv.slice(2);
const { model, tokenizer } = await resolveModel(modelArg);
const cfg = model.cfg;
const texts = (await readDocuments(corpusArg)).slice(0, Number(docsArg));
const documents = texts.map((text, index) => ({ index, text }));
const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: Math.min(DEFAULT_HEAD_EXAMPLE_OPTIONS.contextLength, cfg.n_ctx) };
// One thread, as the live worker and a 2-core server run it; both sides of every ratio use this runner.
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

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
const forwardRates: number[] = [];
const scanRates: number[] = [];
for (let r = 0; r < Number(repeatsArg); r++) {
  let t0 = performance.now();
  for (const b of batches) await runner.run(b, hooks);
  forwardRates.push(tokens / ((performance.now() - t0) / 1000));
  t0 = performance.now();
  finalizeHeadExamples(await scanHeadShard({ cfg, runner, tokenizer, documents, options, normRanges }));
  scanRates.push(tokens / ((performance.now() - t0) / 1000));
}
console.log(
  `plain hooked forward (baseline): ${forwardRates.map(Math.round).join(', ')} tokens/s (median ${Math.round(median(forwardRates))})`,
);
console.log(`head-examples scan + finalize:   ${scanRates.map(Math.round).join(', ')} tokens/s (median ${Math.round(median(scanRates))})`);
console.log(
  `scan time / forward time: ${(median(forwardRates) / median(scanRates)).toFixed(2)} (per repeat: ${scanRates.map((s, i) => (forwardRates[i] / s).toFixed(2)).join(', ')})`,
);

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
