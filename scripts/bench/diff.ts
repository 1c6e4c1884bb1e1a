/**
 * Model-diff benchmark (issue 17's "Measure"):
 *
 *   npx tsx scripts/bench/diff.ts [model=gelu-2l|gpt2-small-shaped] [--docs N] [--repeats R] [--batch B] [--context C]
 *
 * A = the model, B = a copy with 1 % noise on every weight (same architecture, so both diffs apply). Over the same
 * corpus (the bundled TinyStories sample's first N documents), interleaved R times, it times
 *   floor       one plain forward of A over the corpus (logits only, same windows and batches), doubled: a diff
 *               cannot run fewer than two models' forwards (the physical limit this compares with);
 *   black box   computeBlackBoxPartial + finalize (both forwards, log-softmax, alignment, top contexts);
 *   white box   computeWeightDiff + computeWhiteBoxPartial + finalize (both forwards with every layer's head outputs,
 *               patterns, MLP activations and outputs; differences and DLA per position), also against twice A's
 *               forward with those hooks (the engine's share: what the white box costs beyond fetching its hooks);
 * and prints each against the floor. Once, after: the corpus-independent parts (continuations of 3 prompts × 32
 * tokens, patching on one text, head-metric diff on 20 texts), in seconds. Ratios within one run: the machine is noisy.
 * gpt2-small-shaped: GPT-2 small's shape (scripts/bench/shapes.ts) with random weights and the GPT-2 tokenizer from
 * ../shared/data; gelu-2l from ../shared/data/models/gelu-2l.
 */
import { loadModelFolder } from '@/lib/models/load-folder';
import { randomModel } from '@/lib/engine/random-model';
import { loadGpt2Tokenizer } from '@/lib/tokenizers/gpt2-bpe';
import { runInBatches } from '@/lib/engine/batches';
import { readDocuments } from '@/workers/corpus-files';
import { addNoise } from '@/lib/testing/diff-fixtures';
import {
  computeBlackBoxPartial,
  computeContinuations,
  computeHeadMetricDiff,
  computePatchingDiff,
  computeWeightDiff,
  computeWhiteBoxPartial,
  finalizeBlackBox,
  finalizeWhiteBox,
  prepareDiffModel,
  DEFAULT_DIFF_PROMPTS,
  choosePatchingText,
} from '@/lib/diff';
import { whiteBoxBatchSize, whiteBoxHooks } from '@/lib/diff/activation-diff';
import { repoPath, sharedDataPath } from '../testing/shared-data';
import { GPT2_SMALL } from './shapes';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const modelArg = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--'))) ?? 'gelu-2l';
const docs = flag('--docs', modelArg === 'gpt2-small-shaped' ? 24 : 200);
const repeats = flag('--repeats', 3);
const batchSize = flag('--batch', modelArg === 'gpt2-small-shaped' ? 4 : 8);
const contextLength = flag('--context', 128);

async function load() {
  if (modelArg === 'gpt2-small-shaped') {
    return { model: randomModel(GPT2_SMALL, { seed: 1 }), tokenizer: await loadGpt2Tokenizer(sharedDataPath('tokenizers/gpt2')) };
  }
  if (modelArg === 'gelu-2l') return loadModelFolder(sharedDataPath('models/gelu-2l'));
  throw new Error(`model must be gelu-2l or gpt2-small-shaped, got ${modelArg}`);
}

const { model, tokenizer } = await load();
const noisy = addNoise(model, 0.01);
const a = await prepareDiffModel('A', model, tokenizer, { inPlace: true });
const b = await prepareDiffModel('B (A + 1% noise)', noisy, tokenizer, { inPlace: true });
const corpus = (await readDocuments(repoPath('data/corpora/tinystories-sample.txt'))).slice(0, docs);
const options = { contextLength, batchSize, topK: 20 };
const ids = corpus.map((t) => tokenizer.encode(t));
const tokens = ids.reduce((n, d) => n + d.length, 0);
console.log(`${model.cfg.model_name}: ${corpus.length} documents, ${tokens} tokens, batch ${batchSize} × ≤ ${contextLength}`);

async function forward(hooks: string[], batch = batchSize): Promise<void> {
  const options = { batchSize: batch, contextLength, padId: tokenizer.bosId, bos: tokenizer.bosId, hooks };
  for await (const out of runInBatches(a.runner, ids, options)) void out;
}
const plainForward = () => forward(['logits']);
// The white box's own engine cost: A's forward with the hooks it fetches, at the batch it runs.
const hookedForward = () => forward(whiteBoxHooks(a.model.cfg), whiteBoxBatchSize(a.model.cfg, batchSize, contextLength));

/** Wall and CPU seconds (CPU: this process, onnxruntime's threads included; less sensitive to other processes' load). */
const measure = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
};
const time = async (f: () => Promise<unknown>) => (await measure(f)).wall;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const double = (m: { wall: number; cpu: number }) => ({ wall: 2 * m.wall, cpu: 2 * m.cpu });

// Warm every session once (graph builds are not what this measures).
await plainForward();
await hookedForward();
await computeBlackBoxPartial(a, b, { firstDocument: 0, documents: corpus.slice(0, 2) }, options);
await computeWhiteBoxPartial(a, b, { firstDocument: 0, documents: corpus.slice(0, 2) }, options);

type Timing = { wall: number; cpu: number };
const floor: Timing[] = [];
const black: Timing[] = [];
const white: Timing[] = [];
const hooked: Timing[] = [];
let blackBox = null as ReturnType<typeof finalizeBlackBox> | null;
const ratio = (x: Timing[], r: number, k: 'wall' | 'cpu') => (x[r][k] / floor[r][k]).toFixed(2);
for (let r = 0; r < repeats; r++) {
  floor.push(double(await measure(plainForward)));
  hooked.push(double(await measure(hookedForward)));
  black.push(
    await measure(
      async () => (blackBox = finalizeBlackBox(await computeBlackBoxPartial(a, b, { firstDocument: 0, documents: corpus }, options))),
    ),
  );
  white.push(
    await measure(async () => {
      const weights = computeWeightDiff(a, b);
      finalizeWhiteBox(await computeWhiteBoxPartial(a, b, { firstDocument: 0, documents: corpus }, options), { weights });
    }),
  );
  console.log(
    `repeat ${r + 1}: floor (2 × forward) ${floor[r].wall.toFixed(2)} s wall / ${floor[r].cpu.toFixed(2)} s CPU; ` +
      `black box ${black[r].wall.toFixed(2)} s (${ratio(black, r, 'wall')}× wall, ${ratio(black, r, 'cpu')}× CPU); ` +
      `white box ${white[r].wall.toFixed(2)} s (${ratio(white, r, 'wall')}× wall, ${ratio(white, r, 'cpu')}× CPU)`,
  );
}
const med = (x: Timing[], k: 'wall' | 'cpu') => median(x.map((t, r) => t[k] / floor[r][k])).toFixed(2);
console.log(
  `median per-repeat ratio to the floor: black box ${med(black, 'wall')} wall / ${med(black, 'cpu')} CPU; ` +
    `white box ${med(white, 'wall')} wall / ${med(white, 'cpu')} CPU ` +
    `; 2 × A's forward with the white box's hooks ${med(hooked, 'wall')} wall / ${med(hooked, 'cpu')} CPU, so the white box's own work is ` +
    `${median(white.map((w, r) => w.cpu / hooked[r].cpu)).toFixed(2)}× that (CPU) ` +
    `(floor median ${median(floor.map((f) => f.wall)).toFixed(2)} s: ${Math.round((2 * tokens) / median(floor.map((f) => f.wall)))} tokens/s per model)`,
);
console.log(`weight diff alone: ${(await time(async () => computeWeightDiff(a, b))).toFixed(2)} s`);
console.log(
  `continuations (${DEFAULT_DIFF_PROMPTS.length} prompts × 32 tokens): ${(await time(() => computeContinuations(a, b, DEFAULT_DIFF_PROMPTS))).toFixed(2)} s`,
);
const text = (blackBox && choosePatchingText(blackBox)?.text) || corpus[0];
console.log(
  `patching (${model.cfg.n_layers * (model.cfg.n_heads + 1)} components, ${a.tokenizer.encode(text).length} tokens): ${(await time(() => computePatchingDiff(a, b, text))).toFixed(2)} s`,
);
console.log(
  `head-metric diff (default metrics, 20 texts): ${(await time(() => computeHeadMetricDiff(a, b, corpus.slice(0, 20)))).toFixed(2)} s`,
);
