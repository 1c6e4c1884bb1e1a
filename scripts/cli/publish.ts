import { parseArgs } from 'node:util';
import path from 'node:path';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { weightPrecision } from '@/lib/engine/precision';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import { codeVersion } from '@/workers/code-version';
import { publishHeadWiki } from '@/workers/publish-head-wiki';
import { parseWeightProcessingRequest, prepareModelForRun } from '@/workers/weight-processing';
import { openDatabase } from '../lib/database';
import { makeProgressReporter } from '../lib/progress';
import { repoRoot } from '../lib/paths';
import { DEFAULT_MAX_TEXTS, DEFAULT_NEURON_DOCUMENTS, DEFAULT_SEED, NEURON_COMPARISON_CORPUS } from '../lib/ensure-bundled-wiki';

/** `publish`: compute a model's head wiki and publish it as a new run (never modifies an old one). */
export async function publishCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      corpus: { type: 'string' },
      'max-texts': { type: 'string', default: String(DEFAULT_MAX_TEXTS) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      'weight-processing': { type: 'string', default: 'tl' },
      // Neuron explorer: documents scanned per corpus (the run's and the Python comparison corpus); 0 = none.
      'neuron-documents': { type: 'string', default: String(DEFAULT_NEURON_DOCUMENTS) },
    },
  });
  if (!values.model) throw new Error('--model is required (a model name such as stories260K, or a checkpoint path)');
  const maxTexts = Number(values['max-texts']);
  const seed = Number(values.seed);
  if (!Number.isInteger(maxTexts) || maxTexts < 1) throw new Error(`--max-texts must be a positive integer, got "${values['max-texts']}"`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  const neuronDocuments = Number(values['neuron-documents']);
  if (!Number.isInteger(neuronDocuments) || neuronDocuments < 0)
    throw new Error(`--neuron-documents must be a non-negative integer, got "${values['neuron-documents']}"`);

  const corpus = values.corpus
    ? {
        slug: path
          .basename(values.corpus)
          .replace(/\.[^.]+$/, '')
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-'),
        name: path.basename(values.corpus),
        path: path.resolve(values.corpus),
        source: path.basename(values.corpus),
        license: 'unknown (user-supplied)',
      }
    : bundledCorpora(repoRoot)[0];

  const log = (msg: string) => console.error(`[headwiki] ${msg}`);
  const resolved = await resolveModel(values.model);
  const { tokenizer } = resolved;
  const { model, weightProcessing } = prepareModelForRun(resolved.model, parseWeightProcessingRequest(values['weight-processing']), {
    inPlace: true,
  });
  const documents = await readDocuments(corpus.path);
  if (documents.length === 0) throw new Error(`corpus ${corpus.path} has no documents (blank-line separated text expected)`);
  const codeCorpus = bundledCorpora(repoRoot).find((c) => c.slug === NEURON_COMPARISON_CORPUS)!;
  const comparisonCorpora = corpus.slug === codeCorpus.slug ? [] : [{ ...codeCorpus, documents: await readDocuments(codeCorpus.path) }];
  const db = await openDatabase(log);
  try {
    const progress = makeProgressReporter();
    const runner = await OnnxRunner.create(model);
    const run = await publishHeadWiki({
      model,
      tokenizer,
      runner,
      corpus: { ...corpus, documents },
      maxTexts,
      ...(neuronDocuments > 0 && resolved.model.cfg.d_mlp > 0 && !resolved.model.cfg.attn_only
        ? { neurons: { maxDocuments: neuronDocuments, comparisonCorpora } }
        : {}),
      seed,
      codeVersion: codeVersion(repoRoot),
      options: { engine: 'onnxruntime-node', weightProcessing, weights: weightPrecision(model, runner) },
      onProgress: progress.report,
    });
    progress.finish();
    console.log(JSON.stringify({ run: run.id, model: run.modelSlug, publishedAt: run.publishedAt }, null, 2));
  } finally {
    await db.stop();
  }
}
