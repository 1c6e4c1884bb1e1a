/**
 * The neuron scan's per-value loop alone, on a real model's activations (numbers for the issue note):
 *
 *   npx tsx scripts/bench/kernel.ts [model=stories260K] [corpus=data/corpora/tinystories-sample.txt] [documents=300] [rounds=12] [variant.wasm ...]
 *
 * Takes one neuron site's activations (the last site of layer 0) over the documents, streams them once through a
 * UnitStream (so the reservoirs' bars are those of a scan under way), then times the loop over every context, in
 * nanoseconds per value (one unit at one token), best of `rounds` with the contestants interleaved:
 *   - `wasm`: the committed WebAssembly kernel (ContextKernel, what scans run);
 *   - `js`:   UnitStream's JavaScript loop on the same contexts (the reference), as the baseline: kernel / js;
 *   - each `variant.wasm`: another build of lib/metrics/streaming/wasm/observe-context.ts (e.g. `npx asc … -O3
 *     --runtime stub --noAssert --importMemory --enable simd -o v.wasm`, see scripts/build-wasm.ts), run on the
 *     same kernel memory, for A/B tests of kernel changes on this noisy machine. Its numbers are only meaningful
 *     if it takes the committed kernel's arguments.
 * The kernel's time includes copying each context into its memory and computing the sampling keys; the JS loop's
 * includes everything UnitStream.observeContext does (offers too), so kernel / js is an upper bound of the gain.
 */
import fs from 'node:fs';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { readDocuments } from '@/workers/corpus-files';
import { calibrateNeuronRanges, defaultScanOptions } from '@/workers/neurons/scan';
import { batchContexts, buildContexts } from '@/workers/neurons/contexts';
import { siteHook } from '@/lib/metrics/neurons/sites';
import { UnitStream, type ContextActivations } from '@/lib/metrics/streaming';
import { ContextKernel } from '@/lib/metrics/streaming/context-kernel';
import { tokenKey } from '@/lib/metrics/streaming/example';

const [modelArg = 'stories260K', corpusArg = 'data/corpora/tinystories-sample.txt', docsArg = '300', roundsArg = '12', ...variants] =
  process.argv.slice(2);
const { model, tokenizer } = await resolveModel(modelArg);
const docs = (await readDocuments(corpusArg)).slice(0, Number(docsArg)).map((text, index) => ({ index, text }));
const options = defaultScanOptions(model);
const d = model.cfg.d_mlp;
const runner = await OnnxRunner.create(model);
const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs });
const site = options.sites[options.sites.length - 1];
const hook = siteHook(0, site);

// The site's activations, one array per context (positions × units), as a scan sees them.
const contexts: ContextActivations[] = [];
for (const b of batchContexts(buildContexts(tokenizer, docs, options.contextLength), options.batchSize, tokenizer.eosId)) {
  const t = (await runner.run(b.padded, [hook])).get(hook)!;
  const seq = b.padded[0].length;
  b.contexts.forEach((c, i) => {
    const data = t.data.slice(i * seq * d, (i * seq + c.tokens.length) * d);
    contexts.push({ doc: c.id, tokens: c.tokens, data, offset: 0, posStride: d, unitStride: 1, firstPos: 1 });
  });
}
await runner.dispose();
const values = contexts.reduce((a, c) => a + (c.tokens.length - 1) * d, 0);
console.log(`${model.cfg.model_name} ${hook}: ${contexts.length} contexts, ${d} units, ${values} values`);

const streamOptions = {
  ranges: ranges[`0.${site}`].neurons,
  k: options.k,
  randomK: options.randomK,
  bins: options.bins,
  seed: options.seed,
  before: options.exampleBefore,
  after: options.exampleAfter,
};
const warmed = new UnitStream(streamOptions);
warmed.observeContexts(contexts);
// The warmed stream's kernel: its memory holds the bars of a scan under way (private: reached for this bench only).
const kernel = (warmed as unknown as { kernel: ContextKernel }).kernel;
const kernelInternals = kernel as unknown as { exports: unknown; memory: WebAssembly.Memory };
const committed = kernelInternals.exports;
const contestants: { name: string; exports?: unknown }[] = [
  { name: 'wasm (committed)', exports: committed },
  { name: 'js (reference loop)' },
  ...variants.map((file) => ({
    name: file,
    exports: new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { env: { memory: kernelInternals.memory } }).exports,
  })),
];

function timeKernel(exports: unknown): number {
  kernelInternals.exports = exports;
  const t0 = performance.now();
  for (const c of contexts) {
    const n = c.tokens.length;
    kernel.context(n).set(c.data.subarray(0, n * d));
    for (let p = 1; p < n; p++) kernel.keys[p] = tokenKey(options.seed, c.doc, p);
    kernel.observe(n, 1, false);
  }
  return performance.now() - t0;
}

function timeJavaScript(): number {
  UnitStream.hotLoop = 'js';
  const s = new UnitStream(streamOptions);
  s.observeContexts(contexts.slice(0, 40)); // its lists filled, as the kernel's bars are
  const t0 = performance.now();
  s.observeContexts(contexts);
  const ms = performance.now() - t0;
  UnitStream.hotLoop = 'wasm';
  return ms;
}

const best = contestants.map(() => Infinity);
for (let r = 0; r < Number(roundsArg); r++) {
  contestants.forEach((c, i) => (best[i] = Math.min(best[i], c.exports ? timeKernel(c.exports) : timeJavaScript())));
}
kernelInternals.exports = committed;
const ns = (ms: number) => (ms * 1e6) / values;
contestants.forEach((c, i) => console.log(`${c.name.padEnd(24)} ${ns(best[i]).toFixed(2)} ns per value (best of ${roundsArg})`));
console.log(`kernel / JavaScript loop: ${(best[0] / best[1]).toFixed(2)}`);
