/**
 * Dev tool: runs a run's circuits step (workers/circuits/compute.ts, lib/circuits' real computations) on a model and
 * prints what the wiki would store — each task's usability, the discovered circuit, head patching, path patching to
 * the logits, the role verdicts that are not "no", and the detectors' notes — with its wall time and forward batches.
 *
 *   npx tsx scripts/dev/circuit-report.ts [model=ioi-4l] [promptPairs=8]
 */
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { resolveModel } from '@/lib/models/registry';
import { computeCircuitWiki } from '@/workers/circuits/compute';
import { circuitComputations } from '@/workers/circuits/computations';
import { prepareModelForRun } from '@/workers/weight-processing';

const name = process.argv[2] ?? 'ioi-4l';
const promptPairs = Number(process.argv[3] ?? 8);
const resolved = await resolveModel(name);
const { model } = prepareModelForRun(resolved.model, 'tl', { inPlace: true });
const runner = await OnnxRunner.create(model);
const t0 = Date.now();
const wiki = await computeCircuitWiki({
  model,
  tokenizer: resolved.tokenizer,
  runner,
  seed: 0,
  promptPairs,
  computations: circuitComputations,
});
console.log(
  `${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s wall, ${wiki.notes.forwardPasses} forward batches, ${promptPairs} prompt pairs per task`,
);
const r2 = (x: number | null) => (x === null ? 'null' : x.toFixed(2));
for (const t of wiki.tasks) {
  const p = t.usability.performance;
  console.log(
    `\n${t.task}: ${t.usability.status}${p ? ` (accuracy ${(100 * p.accuracy).toFixed(0)}%, clean ${r2(p.cleanMetric)} vs corrupted ${r2(p.corruptedMetric)})` : ''}`,
  );
  if (t.usability.status === 'untestable') console.log(`  ${t.usability.detail}`);
  if (t.circuit) {
    const c = t.circuit;
    console.log(
      `  circuit: ${c.edges.length}/${c.edgesConsidered} edges at τ ${c.threshold}; alone ${r2(c.circuitMetric)} of clean ${r2(c.cleanMetric)}`,
    );
    for (const e of c.edges) console.log(`    ${e.from} → ${e.to} (${e.channel}) ${r2(e.effect)}`);
  }
  for (const s of t.sweeps.filter((x) => x.axes.length === 2))
    console.log(`  ${s.site} patching [layer][head]: ${s.effects.map(r2).join(' ')}`);
  for (const pp of t.pathPatching)
    console.log(`  path patching → logits: ${JSON.stringify(pp.effects.map((row) => row.map((x) => +x.toFixed(2))))}`);
}
console.log('\nverdicts other than "no":');
for (const r of wiki.roles.filter((x) => x.verdict === 'yes'))
  console.log(`  ${r.role} L${r.layer}H${r.head}: yes (${r2(r.score)} vs ${r2(r.threshold)}) ${r.reason}`);
// Copy suppression's two weight tests, for the heads that pass at least the OV one (McDougall et al. 2023).
for (const r of wiki.roles.filter((x) => x.role === 'copy_suppression' && (x.verdict === 'yes' || /does not follow/.test(x.reason))))
  console.log(`  copy_suppression L${r.layer}H${r.head}: ${r.verdict} — ${r.reason}`);
const untestable = [...new Set(wiki.roles.filter((x) => x.verdict === 'untestable').map((x) => x.role))];
console.log(`  untestable here: ${untestable.join(', ') || 'none'}`);
const no = [...new Set(wiki.roles.filter((x) => x.verdict === 'no').map((x) => x.role))];
console.log(
  `  measured "no" on every head: ${no.filter((role) => !wiki.roles.some((x) => x.role === role && x.verdict === 'yes')).join(', ')}`,
);
console.log('notes:', wiki.notes.notes);
await runner.dispose();
