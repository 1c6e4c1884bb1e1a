import { getLatestPublishedRun } from '@/lib/db/runs';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import { codeVersion } from '@/workers/code-version';
import { publishHeadWiki } from '@/workers/publish-head-wiki';
import { prepareModelForRun } from '@/workers/weight-processing';
import { circuitComputations } from '@/workers/circuits/computations';
import { makeProgressReporter } from './progress';
import { repoRoot } from './paths';

export const BUNDLED_MODEL = 'stories260K';
export const BUNDLED_CORPUS = 'tinystories-sample';
export const DEFAULT_SEED = 0;
export const DEFAULT_MAX_TEXTS = 200;
/** Corpus documents scanned for every head's max-activating examples (workers/head-examples). */
export const DEFAULT_HEAD_EXAMPLE_DOCUMENTS = 200;
/** Documents per corpus scanned by the neuron explorer (workers/neurons): bounds the first start's extra time. */
export const DEFAULT_NEURON_DOCUMENTS = 300;
/** The neuron explorer's comparison corpus (stories vs code). */
export const NEURON_COMPARISON_CORPUS = 'python-stdlib-sample';

/**
 * The bundled circuit demo (data/models/ioi-4l): its head wiki on its own synthetic IOI sentences, and its circuits.
 * Prompt pairs per task bound the first start's extra time (discovery's batches grow with them).
 */
export const BUNDLED_CIRCUIT_MODEL = 'ioi-4l';
export const BUNDLED_CIRCUIT_CORPUS = 'ioi-sample';
export const BUNDLED_CIRCUIT_PROMPT_PAIRS = 8;

/** Computes and publishes the bundled models' wikis once; later starts find the published runs and skip them. */
export async function ensureBundledWiki({ log }: { log: (msg: string) => void }): Promise<void> {
  await ensureStoriesWiki({ log });
  await ensureCircuitWiki({ log });
}

async function ensureStoriesWiki({ log }: { log: (msg: string) => void }): Promise<void> {
  const existing = await getLatestPublishedRun(BUNDLED_MODEL);
  if (existing) {
    log(`wiki: ${BUNDLED_MODEL} is published (run ${existing.id})`);
    return;
  }
  log(`wiki: computing ${BUNDLED_MODEL}'s head wiki (first start only)`);
  const t0 = Date.now();
  const resolved = await resolveModel(BUNDLED_MODEL);
  const { tokenizer } = resolved;
  // TransformerLens' default weight processing; what was applied is recorded with the run.
  const { model, weightProcessing } = prepareModelForRun(resolved.model, 'tl', { inPlace: true });
  const corpus = bundledCorpora(repoRoot).find((c) => c.slug === BUNDLED_CORPUS)!;
  const documents = await readDocuments(corpus.path);
  const codeCorpus = bundledCorpora(repoRoot).find((c) => c.slug === NEURON_COMPARISON_CORPUS)!;
  const codeDocuments = await readDocuments(codeCorpus.path);
  const runner = await OnnxRunner.create(model);
  const progress = makeProgressReporter();
  const run = await publishHeadWiki({
    model,
    tokenizer,
    runner,
    corpus: { ...corpus, documents },
    maxTexts: DEFAULT_MAX_TEXTS,
    headExamples: { maxDocuments: DEFAULT_HEAD_EXAMPLE_DOCUMENTS },
    neurons: { maxDocuments: DEFAULT_NEURON_DOCUMENTS, comparisonCorpora: [{ ...codeCorpus, documents: codeDocuments }] },
    seed: DEFAULT_SEED,
    codeVersion: codeVersion(repoRoot),
    options: { engine: 'onnxruntime-node', weightProcessing },
    onProgress: progress.report,
  });
  progress.finish();
  log(`wiki: published run ${run.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function ensureCircuitWiki({ log }: { log: (msg: string) => void }): Promise<void> {
  const existing = await getLatestPublishedRun(BUNDLED_CIRCUIT_MODEL);
  if (existing) {
    log(`wiki: ${BUNDLED_CIRCUIT_MODEL} is published (run ${existing.id})`);
    return;
  }
  log(`wiki: computing ${BUNDLED_CIRCUIT_MODEL}'s head wiki and circuits (first start only)`);
  const t0 = Date.now();
  const resolved = await resolveModel(BUNDLED_CIRCUIT_MODEL);
  const { model, weightProcessing } = prepareModelForRun(resolved.model, 'tl', { inPlace: true });
  const corpus = bundledCorpora(repoRoot).find((c) => c.slug === BUNDLED_CIRCUIT_CORPUS)!;
  const documents = await readDocuments(corpus.path);
  const runner = await OnnxRunner.create(model);
  const progress = makeProgressReporter();
  const run = await publishHeadWiki({
    model,
    tokenizer: resolved.tokenizer,
    runner,
    corpus: { ...corpus, documents },
    maxTexts: DEFAULT_MAX_TEXTS,
    headExamples: { maxDocuments: documents.length },
    neurons: { maxDocuments: documents.length },
    circuits: { computations: circuitComputations, promptPairs: BUNDLED_CIRCUIT_PROMPT_PAIRS },
    seed: DEFAULT_SEED,
    codeVersion: codeVersion(repoRoot),
    options: { engine: 'onnxruntime-node', weightProcessing },
    onProgress: progress.report,
  });
  progress.finish();
  await runner.dispose();
  log(`wiki: published run ${run.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
