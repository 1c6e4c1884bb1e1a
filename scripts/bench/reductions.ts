/**
 * What the neuron scan's in-graph reductions (lib/engine/reductions.ts) cost inside the forward pass:
 *
 *   npx tsx scripts/bench/reductions.ts [model=stories260K | path | gpt2-small-shaped] [documents=200]
 *
 * The neuron scan's hooks over the scan's batches, run plain, with every hook reduced in the graph, and plain followed by
 * the host's reductions (PositionReducer, one WebAssembly pass: what the scan does on the CPU), interleaved 3 times;
 * prints the process CPU seconds of each and their ratios to plain (the reductions' share of the forward).
 */
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { readDocuments } from '@/workers/corpus-files';
import { defaultScanOptions } from '@/workers/neurons/scan';
import { batchContexts, buildContexts } from '@/workers/neurons/contexts';
import { siteHook } from '@/lib/metrics/neurons/sites';
import { randomModel } from '@/lib/engine/random-model';
import { loadGpt2Tokenizer } from '@/lib/tokenizers/gpt2-bpe';
import { repoPath } from '../testing/shared-data';
import { GPT2_SMALL } from './shapes';
import { PositionReducer } from '@/lib/metrics/streaming';
const [name = 'stories260K', docsN = '200'] = process.argv.slice(2);
const { model, tokenizer } =
  name === 'gpt2-small-shaped'
    ? { model: randomModel(GPT2_SMALL, { seed: 1 }), tokenizer: await loadGpt2Tokenizer(repoPath('../shared/data/tokenizers/gpt2')) }
    : await resolveModel(name);
const texts = (await readDocuments('data/corpora/tinystories-sample.txt')).slice(0, Number(docsN));
const docs = texts.map((text, index) => ({ index, text }));
const runner = await OnnxRunner.create(model);
const options = defaultScanOptions(model);
const hooks = options.layers.flatMap((l) => options.sites.map((s) => siteHook(l, s)));
const batches = batchContexts(buildContexts(tokenizer, docs, options.contextLength), options.batchSize, tokenizer.eosId);
const L = options.contextLength;
const obs = batches.map((b) => {
  const o = new Float32Array(b.contexts.length * L);
  b.contexts.forEach((c, i) => o.fill(1, i * L + 1, i * L + c.tokens.length));
  return o;
});
const cpu = (c: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e6;
};
const reducer = new PositionReducer(model.cfg.d_mlp);
const variants: Record<string, (i: number) => Promise<unknown>> = {
  plain: async (i) => runner.recycle(await runner.run(batches[i].padded, hooks)),
  graph: async (i) => runner.recycle(await runner.run(batches[i].padded, hooks, { reductions: { hooks, observed: obs[i], length: L } })),
  host: async (i) => {
    const cache = await runner.run(batches[i].padded, hooks);
    const b = batches[i];
    const ends = b.contexts.map((c) => c.tokens.length);
    for (const h of hooks)
      reducer.reduce(
        cache.get(h)!.data,
        ends.length,
        b.padded[0].length,
        ends.map(() => 1),
        ends,
      );
    runner.recycle(cache);
  },
};
for (const v of Object.keys(variants)) await variants[v](0);
const res: Record<string, number[]> = { plain: [], graph: [], host: [] };
for (let r = 0; r < 3; r++)
  for (const v of Object.keys(variants)) {
    const c = process.cpuUsage();
    for (let i = 0; i < batches.length; i++) await variants[v](i);
    res[v].push(cpu(c));
  }
console.log(
  name,
  Object.entries(res)
    .map(([k, xs]) => `${k} ${xs.map((x) => x.toFixed(2)).join('/')} s CPU`)
    .join('; '),
  'graph/plain CPU',
  (res.graph.reduce((a, b) => a + b) / res.plain.reduce((a, b) => a + b)).toFixed(2),
  'host/plain CPU',
  (res.host.reduce((a, b) => a + b) / res.plain.reduce((a, b) => a + b)).toFixed(2),
);
await runner.dispose();
