/**
 * Validation and timing of head examples on a real model (numbers for the issue note):
 *
 *   npx tsx scripts/bench/head-examples.ts <model name|path> <corpus.txt> <L.H> [documents=200] [contextLength=128]
 *
 * Scans the corpus' first documents, then for head L.H reports, over its top examples by max non-BOS attention
 * and by ‖hook_result‖: how many have their destination's top source one token back (previous-token) and how
 * many attend to the token after an earlier occurrence of the destination token (induction), and prints the
 * top few windows. Also prints the scan's wall time and tokens per second.
 */
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { formatToken } from '@/lib/format/token-display';
import { readDocuments } from '@/workers/corpus-files';
import { finalizeHeadExamples } from '@/workers/head-examples/merge';
import { calibrateHeadExamples, scanHeadShard } from '@/workers/head-examples/scan';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS, type HeadExample } from '@/workers/head-examples/types';

const [modelArg, corpusArg, headArg, docsArg, ctxArg] = process.argv.slice(2);
if (!modelArg || !corpusArg || !/^\d+\.\d+$/.test(headArg ?? '')) {
  console.error('usage: npx tsx scripts/bench/head-examples.ts <model> <corpus.txt> <L.H> [documents] [contextLength]');
  process.exit(2);
}
const [layer, head] = headArg.split('.').map(Number);
const { model, tokenizer } = await resolveModel(modelArg);
const texts = (await readDocuments(corpusArg)).slice(0, Number(docsArg ?? 200));
const documents = texts.map((text, index) => ({ index, text }));
const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: Math.min(Number(ctxArg ?? 128), model.cfg.n_ctx), k: 20 };
const runner = await OnnxRunner.create(model);
const t0 = performance.now();
const normRanges = await calibrateHeadExamples({ cfg: model.cfg, runner, tokenizer, documents, options });
const shard = await scanHeadShard({ cfg: model.cfg, runner, tokenizer, documents, options, normRanges });
const sets = finalizeHeadExamples(shard);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `${model.cfg.model_name}: ${documents.length} documents, ${shard.contexts} contexts, ${shard.tokens} tokens in ${seconds.toFixed(2)} s ` +
    `(${Math.round(shard.tokens / seconds)} tokens/s, ${model.cfg.n_layers * model.cfg.n_heads} heads)`,
);

const set = sets.find((s) => s.layer === layer && s.head === head)!;
const tok = (ex: HeadExample, p: number) => ex.tokens[p - ex.windowStart];
const classify = (ex: HeadExample) => {
  const row = ex.attn[ex.pos - ex.windowStart];
  const src = row[0] === 0 && row.length > 2 ? row[2] : row[0]; // best non-BOS source
  const inductive = src >= 1 && src - 1 >= ex.windowStart && tok(ex, src - 1) === tok(ex, ex.pos) && src - 1 < ex.pos;
  return { src, previous: src === ex.pos - 1, inductive };
};
for (const [label, list] of [
  ['max non-BOS attention', set.topAttention],
  ['‖hook_result‖', set.topNorm],
] as const) {
  const c = list.map(classify);
  console.log(
    `L${layer}H${head} top ${list.length} by ${label}: previous-token ${c.filter((x) => x.previous).length}/${list.length}, ` +
      `induction (source = token after an earlier occurrence of the destination token) ${c.filter((x) => x.inductive).length}/${list.length}; ` +
      `values ${list[0]?.value.toFixed(3)} … ${list[list.length - 1]?.value.toFixed(3)}`,
  );
  for (const ex of list.slice(0, 3)) {
    const { src } = classify(ex);
    const show = (p: number) => formatToken(tokenizer.piece(tok(ex, p))).text;
    const text = ex.tokens.map((_, i) => {
      const p = ex.windowStart + i;
      const t = show(p);
      return p === ex.pos ? `[[${t}]]` : p === src ? `{${t}}` : t;
    });
    console.log(`   ${ex.value.toFixed(3)}  ${text.join('')}`);
  }
}
console.log(`norm: mean ${set.normStats.mean.toFixed(3)}, max ${set.normStats.max.toFixed(3)}; quantiles ${set.normQuantiles.map((q) => `${q.quantile}:${q.value.toFixed(3)}`).join(' ')}`);
await runner.dispose();
