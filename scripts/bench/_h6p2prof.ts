// temporary profile helper (h6perf2), deleted before the report
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { readDocuments } from '@/workers/corpus-files';
import { calibrateNeuronRanges, scanNeuronShard } from '@/workers/neurons/scan';
const [m, n] = process.argv.slice(2);
const { model, tokenizer } = await resolveModel(m);
const texts = (await readDocuments('data/corpora/tinystories-sample.txt')).slice(0, Number(n));
const docs = texts.map((text, index) => ({ index, text }));
const runner = await OnnxRunner.create(model);
const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs });
const c0 = process.cpuUsage(); const t0 = performance.now();
const shard = await scanNeuronShard({ model, runner, tokenizer, docs, ranges });
const c = process.cpuUsage(c0);
console.log(shard.tokens, 'tokens', ((performance.now() - t0) / 1000).toFixed(2), 's wall', ((c.user + c.system) / 1e6).toFixed(2), 'CPU s');
process.exit(0);
