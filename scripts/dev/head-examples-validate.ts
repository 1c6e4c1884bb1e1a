/**
 * Validation of max-activating head examples on known heads (numbers for issue 7's note):
 *
 *   npx tsx scripts/dev/head-examples-validate.ts [documents=200] [models=attn-only-2l,gelu-2l] [corpus=../shared/…/tinystories_val_head.txt]
 *
 * For each trained model in ../shared/data/models/ it scans two corpora with the production scan
 * (workers/head-examples): `natural` = the corpus' first documents; `repeated` = each of those documents' first
 * 24 words followed by the same 24 words again (repeated real spans, one context each, where an induction head must act). For
 * every head and both rankings (max non-BOS attention, ‖hook_result‖) it classifies the top-k examples by the
 * destination's best stored non-BOS source s (q = destination position, t(i) = token at position i):
 *   prev    s = q − 1 (at q = 1, where the only earlier token is BOS: the strongest source is BOS)
 *   ind     t(s − 1) = t(q) with s − 1 < q: s is the token after an earlier occurrence of the destination token
 *   rep     ind, and t(s − 2) = t(q − 1) too: the destination continues a repeated stretch of text
 * and prints the fractions. Expected (issue 7): the induction head's (attn-only-2l L1H7) top examples are `ind`/`rep`;
 * previous-token heads' (attn-only-2l L0H1, gelu-2l L0H1) are `prev`; the other heads are the baseline.
 */
import path from 'node:path';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { formatToken } from '@/lib/format/token-display';
import { readDocuments } from '@/workers/corpus-files';
import { finalizeHeadExamples } from '@/workers/head-examples/merge';
import { calibrateHeadExamples, scanHeadShard } from '@/workers/head-examples/scan';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS, type HeadExample, type HeadExampleSet } from '@/workers/head-examples/types';
import { classifyExample, type ExampleClass } from '@/workers/head-examples/classify';

const SHARED = path.resolve(import.meta.dirname, '../../../shared/data');
const [docsArg, modelsArg, corpusArg] = process.argv.slice(2);
const nDocs = Number(docsArg ?? 200);
const models = (modelsArg ?? 'attn-only-2l,gelu-2l').split(',');
const corpus = corpusArg ?? path.join(SHARED, 'corpora/tinystories/tinystories_val_head.txt');
/** Heads named in the models' READMEs (measured by their training code). */
const KNOWN: Record<string, Record<string, string>> = {
  'attn-only-2l': { '1.7': 'induction', '0.1': 'previous-token' },
  'gelu-2l': { '0.1': 'previous-token' },
  stories260K: {},
};
const K = 20;

const texts = (await readDocuments(corpus)).slice(0, nDocs);
const repeated = texts.map((t) => {
  const span = t.split(/\s+/).slice(0, 24).join(' ');
  return `${span} ${span}`;
});

const pct = (n: number, d: number) => (d === 0 ? '   —' : `${String(Math.round((100 * n) / d)).padStart(3)}%`);
const frac = (c: ExampleClass[], key: keyof ExampleClass) => c.filter((x) => x[key]).length;

for (const name of models) {
  const dir = path.join(SHARED, 'models', name);
  const { model, tokenizer } = await resolveModel(dir);
  const cfg = model.cfg;
  const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
  const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: Math.min(128, cfg.n_ctx), k: K };
  console.log(
    `\n== ${name} (${cfg.n_layers} layers × ${cfg.n_heads} heads), top ${K} examples per head, ${nDocs} documents of ${path.basename(corpus)}`,
  );
  for (const [corpusName, docs] of [
    ['natural', texts],
    ['repeated', repeated],
  ] as const) {
    const documents = docs.map((text, index) => ({ index, text }));
    const t0 = performance.now();
    const normRanges = await calibrateHeadExamples({ cfg, runner, tokenizer, documents, options });
    const shard = await scanHeadShard({ cfg, runner, tokenizer, documents, options, normRanges });
    const sets = finalizeHeadExamples(shard);
    const s = (performance.now() - t0) / 1000;
    console.log(`-- ${corpusName}: ${shard.contexts} contexts, ${shard.tokens} tokens, scanned in ${s.toFixed(1)} s`);
    console.log('   head   known            | by max non-BOS attention   | by ‖hook_result‖');
    console.log('                           |  prev   ind   rep  median q |  prev   ind   rep  median q');
    for (const set of sets) {
      const key = `${set.layer}.${set.head}`;
      const row = (list: HeadExample[]) => {
        const c = list.map(classifyExample);
        const qs = list.map((e) => e.pos).sort((a, b) => a - b);
        return `${pct(frac(c, 'previous'), c.length)} ${pct(frac(c, 'induction'), c.length)} ${pct(frac(c, 'repeated'), c.length)} ${String(qs[qs.length >> 1] ?? '—').padStart(8)}`;
      };
      const known = KNOWN[name]?.[key] ?? '';
      console.log(`   L${set.layer}H${set.head}`.padEnd(10) + known.padEnd(17) + `| ${row(set.topAttention)} | ${row(set.topNorm)}`);
    }
    for (const [key, label] of Object.entries(KNOWN[name] ?? {})) showTop(sets, key, label, tokenizer.piece.bind(tokenizer), corpusName);
  }
  await runner.dispose();
}

function showTop(sets: HeadExampleSet[], key: string, label: string, piece: (id: number) => string, corpusName: string) {
  const [layer, head] = key.split('.').map(Number);
  const set = sets.find((x) => x.layer === layer && x.head === head)!;
  console.log(`   L${layer}H${head} (${label}), ${corpusName}: top 3 by max non-BOS attention — [[destination]] {source}`);
  for (const ex of set.topAttention.slice(0, 3)) {
    const { source } = classifyExample(ex);
    const text = ex.tokens
      .map((id, i) => {
        const p = ex.windowStart + i;
        const t = formatToken(piece(id)).text;
        return p === ex.pos ? `[[${t}]]` : p === source ? `{${t}}` : t;
      })
      .join('');
    console.log(`     ${ex.value.toFixed(3)} q=${ex.pos} s=${source}  ${text.slice(0, 160)}`);
  }
}
