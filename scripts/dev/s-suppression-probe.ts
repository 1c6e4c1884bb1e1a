/**
 * Dev tool: why a head that attends to S2 and writes −S is (or is not) copy suppression. For one head of a model
 * (default ioi-4l's L3H1) it prints McDougall et al.'s OV / QK weight scores (lib/circuits/roles/copy-suppression.ts)
 * on the IOI names and on the whole vocabulary, and, in context on IOI prompts, where the head attends from END on
 * clean and on ABC-corrupted prompts and after removing the answer's / the subject's unembedding direction from its
 * query: a query that reads the prediction (copy suppression) loses its attention when that direction goes.
 *
 *   npx tsx scripts/dev/s-suppression-probe.ts [model=ioi-4l] [layer=3] [head=1]
 */
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { resolveModel } from '@/lib/models/registry';
import { prepareModelForRun } from '@/workers/weight-processing';
import { normalizeRows, projectRows } from '@/lib/circuits/receiver-inputs';
import { copySuppressionScores } from '@/lib/circuits/roles/copy-suppression';
import { buildTask } from '@/lib/circuits/tasks';
import { IOI_NAMES } from '@/lib/circuits/tasks/ioi';
import { singleToken } from '@/lib/circuits/tasks/words';

const [name = 'ioi-4l', ls = '3', hs = '1'] = process.argv.slice(2);
const [l, h] = [Number(ls), Number(hs)];
const resolved = await resolveModel(name);
const { model } = prepareModelForRun(resolved.model, 'tl', { inPlace: true });
const runner = await OnnxRunner.create(model);
const { cfg, weights } = model;
const { d_model: D, d_head: dh, d_vocab: V } = cfg;
const tok = resolved.tokenizer;
const names = [...new Set(IOI_NAMES.map((n) => singleToken(tok, n)).filter((t): t is number => t !== null))];
const vocab = Array.from({ length: V }, (_, i) => i).filter((i) => !tok.specialIds.has(i));
for (const [label, set] of [
  [`${names.length} IOI names`, names],
  [`whole vocabulary (${vocab.length})`, vocab],
] as const) {
  const s = await copySuppressionScores(runner, model, set);
  console.log(`L${l}H${h} weights on ${label}: OV ${(100 * s.ov[l][h]).toFixed(0)} %, QK ${(100 * s.qk[l][h]).toFixed(0)} %`);
}

const build = buildTask('ioi', tok, { count: 16 });
if (!build.ok) throw new Error(`IOI not expressible: ${build.reason}`);
const W_U = weights.get('unembed.W_U')!.data;
const W_Q = weights.get(`blocks.${l}.attn.W_Q`)!.data;
const W_K = weights.get(`blocks.${l}.attn.W_K`)!.data;
const bQ = weights.get(`blocks.${l}.attn.b_Q`)?.data ?? null;
const bK = weights.get(`blocks.${l}.attn.b_K`)?.data ?? null;
const unembed = (t: number) => Float64Array.from({ length: D }, (_, d) => W_U[d * V + t]);
const without = (x: Float64Array, u: Float64Array) => {
  let xu = 0;
  let uu = 0;
  for (let d = 0; d < D; d++) [xu, uu] = [xu + x[d] * u[d], uu + u[d] * u[d]];
  return x.map((v, d) => v - (xu / uu) * u[d]);
};
const sums = new Map<string, number>();
const add = (k: string, v: number) => sums.set(k, (sums.get(k) ?? 0) + v / build.task.pairs.length);
const resid = `blocks.${l}.hook_resid_pre`;
const pattern = `blocks.${l}.attn.hook_pattern`;
for (const pair of build.task.pairs) {
  const T = pair.clean.length;
  const at = (p: Float32Array, k: number) => p[(h * T + T - 1) * T + k];
  const { S2, IO } = pair.positions;
  for (const [label, tokens] of [
    ['clean', pair.clean],
    ['ABC-corrupted', pair.corrupted],
  ] as const) {
    const p = (await runner.run([tokens], [pattern])).get(pattern)!.data;
    add(`${label}: END→S2 slot`, at(p, S2[0]));
    add(`${label}: END→IO slot`, at(p, IO[0]));
  }
  // Recompute the head's attention from END with an edited query (clean prompt).
  const r = Float64Array.from((await runner.run([pair.clean], [resid])).get(resid)!.data);
  const keys = projectRows(normalizeRows(cfg, weights, `blocks.${l}.ln1`, Float64Array.from(r), T), T, D, W_K, h * D * dh, dh, bK, h * dh);
  const attend = (query: Float64Array) => {
    const q = projectRows(
      normalizeRows(cfg, weights, `blocks.${l}.ln1`, Float64Array.from(query), 1),
      1,
      D,
      W_Q,
      h * D * dh,
      dh,
      bQ,
      h * dh,
    );
    const sc = Array.from({ length: T }, (_, j) => q.reduce((s, qc, c) => s + qc * keys[j * dh + c], 0) / Math.sqrt(dh));
    const m = Math.max(...sc);
    const e = sc.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  };
  const end = r.subarray((T - 1) * D, T * D);
  add('query as is: END→S2', attend(Float64Array.from(end))[S2[0]]);
  add('query minus W_U[S]: END→S2', attend(without(Float64Array.from(end), unembed(pair.wrong)))[S2[0]]);
  add('query minus W_U[IO]: END→S2', attend(without(Float64Array.from(end), unembed(pair.answer)))[S2[0]]);
}
console.log(`L${l}H${h} in context, mean over ${build.task.pairs.length} IOI prompts:`);
for (const [k, v] of sums) console.log(`  ${k} ${v.toFixed(3)}`);
await runner.dispose();
