/**
 * Test fixture for the neuron explorer's e2e tests: publishes a run of the planted-neuron model (renamed
 * `hostile-neurons`) whose corpus is full of markup, and whose tokenizer's vocabulary holds hostile pieces
 * (a right-to-left override, terminal control characters, a <script> element), as real vocabularies can.
 * Pages must show all of it as inert, legible text.
 *
 *   DATABASE_URL=postgresql://… npx tsx scripts/dev/seed-hostile-neurons.ts     → prints the run id
 */
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { buildPlantedNeuronModel } from '@/lib/testing/planted-neurons';
import { upsertModel } from '@/lib/db/models';
import { upsertCorpus } from '@/lib/db/corpora';
import { createRun, getLatestPublishedRun, publishRun } from '@/lib/db/runs';
import { modelInfo } from '@/workers/model-info';
import { computeNeuronWiki } from '@/workers/neurons/compute';
import { saveNeuronWiki } from '@/workers/neurons/publish';
import type { Tokenizer } from '@/lib/tokenizers/types';

export const HOSTILE_MODEL = 'hostile-neurons';
/** Pieces the hostile tokenizer shows for '~', '`' and '|'. */
export const HOSTILE_PIECES: Record<string, string> = {
  '~': '\u202Eevil\u202C',
  '`': '\u0007\u001B[31mred',
  '|': '<script>window.__pwned = 1</script>',
};

const existing = await getLatestPublishedRun(HOSTILE_MODEL).catch(() => null);
if (existing) {
  console.log(existing.id);
  process.exit(0);
}
const { model: planted, tokenizer: base } = buildPlantedNeuronModel();
const model = { ...planted, cfg: { ...planted.cfg, model_name: HOSTILE_MODEL } };
const tokenizer: Tokenizer = {
  ...base,
  encode: base.encode.bind(base),
  decode: base.decode.bind(base),
  piece: (id: number) => HOSTILE_PIECES[base.piece(id)] ?? base.piece(id),
};
const documents = [
  '<script>alert("x")</script> x marks | the spot ~ here',
  'an <img src=x onerror=alert(1)> box of wax ` end',
  'quiet <b>queens</b> & "quotes" x x',
  'lazy zebras | ~ ` zone',
];
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
const wikis = await computeNeuronWiki({
  model,
  runner,
  tokenizer,
  corpora: [{ slug: 'hostile-markup', documents }],
  options: { contextLength: 32, k: 5, randomDirections: 4 },
});
await upsertModel(modelInfo(model));
await upsertCorpus({
  slug: 'hostile-markup',
  name: 'Hostile markup (test fixture)',
  source: 'scripts/dev/seed-hostile-neurons.ts',
  license: 'MIT',
  documents,
});
const run = await createRun({
  modelSlug: HOSTILE_MODEL,
  corpusSlug: 'hostile-markup',
  options: { fixture: true },
  codeVersion: 'test',
  seed: 0,
  metricVersions: {},
});
await saveNeuronWiki(run.id, wikis, tokenizer);
await publishRun(run.id, 0);
await runner.dispose();
console.log(run.id);
process.exit(0);
