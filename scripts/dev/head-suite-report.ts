/**
 * Validation report of the head-metric suite on one model (for issue notes and docs/metrics.md):
 *   npx tsx scripts/dev/head-suite-report.ts <model name or folder> [maxTexts=200] [seed=0]
 * Prints the time of each step, the top heads per metric, the strongest composition pairs against the
 * random baseline, and every claimed label with its causal effect.
 */
import path from 'node:path';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { readDocuments } from '@/workers/corpus-files';
import { computeHeadWiki } from '@/workers/compute-head-wiki';
import { repoRoot } from '../lib/paths';

const [name, maxTexts = '200', seed = '0'] = process.argv.slice(2);
if (!name) throw new Error('usage: head-suite-report.ts <model> [maxTexts] [seed]');
const { model, tokenizer } = await resolveModel(name);
const texts = await readDocuments(path.join(repoRoot, 'data/corpora/tinystories-sample.txt'), Number(maxTexts));
const runner = await OnnxRunner.create(model);
const t0 = performance.now();
let last = t0;
const wiki = await computeHeadWiki({
  model,
  tokenizer,
  runner,
  texts,
  seed: Number(seed),
  onProgress: (p) => {
    const now = performance.now();
    process.stdout.write(`  [${((now - t0) / 1000).toFixed(1)} s, +${((now - last) / 1000).toFixed(1)} s] ${p.step}\n`);
    last = now;
  },
});
console.log(`${model.cfg.model_name}: ${texts.length} texts, seed ${seed}, total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const ids = Object.keys(wiki.metricVersions);
for (const id of ids) {
  const top = wiki.metrics
    .filter((m) => m.metricId === id)
    .sort((a, b) => b.value - a.value)
    .slice(0, 3)
    .map((m) => `L${m.layer}H${m.head} ${m.value.toFixed(3)}`);
  console.log(`  ${id.padEnd(28)} ${top.join(', ')}`);
}
if (wiki.composition) {
  const b = wiki.composition.baselines[0];
  console.log(`  composition baseline: mean ${b.mean.toFixed(4)}, std ${b.std.toFixed(4)} (${b.draws} draws)`);
  for (const kind of ['q', 'k', 'v'] as const) {
    const top = wiki.composition.scores
      .filter((c) => c.kind === kind)
      .sort((x, y) => y.value - x.value)
      .slice(0, 3)
      .map(
        (c) =>
          `L${c.srcLayer}H${c.srcHead}→L${c.dstLayer}H${c.dstHead} ${c.value.toFixed(3)} (z ${((c.value - b.mean) / b.std).toFixed(1)})`,
      );
    console.log(`  ${kind}-composition: ${top.join(', ')}`);
  }
}
for (const l of wiki.labels ?? []) {
  console.log(
    `  label ${l.label} L${l.layer}H${l.head}: score ${l.score.toFixed(3)} ≥ ${l.threshold} → ${l.status}, effect ${l.effect?.toFixed(3) ?? '—'} ${l.effectUnit} (≥ ${l.effectThreshold}); ${l.detail}`,
  );
}
console.log('  notes', JSON.stringify(wiki.notes));
await runner.dispose();
