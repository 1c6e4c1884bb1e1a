/**
 * The one way the CLI and `npm start` turn their arguments into a run definition (workers/run-definition.ts):
 * `publish` (in one process), `run` (on the queue) and the bundled wiki take the same flags with the same defaults,
 * so the same command line computes the same run whichever executes it.
 */
import path from 'node:path';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import { defineRun, RUN_DEFAULTS, type RunCorpus, type RunDefinition } from '@/workers/run-definition';
import { parseWeightProcessingRequest } from '@/workers/weight-processing';
import { repoRoot } from './paths';

/** The neuron explorer's comparison corpus (stories vs code), bundled. */
export const NEURON_COMPARISON_CORPUS = 'python-stdlib-sample';

/** parseArgs options every run-making command accepts. */
export const RUN_DEFINITION_FLAGS = {
  model: { type: 'string' },
  corpus: { type: 'string' },
  'max-texts': { type: 'string', default: String(RUN_DEFAULTS.maxTexts) },
  seed: { type: 'string', default: String(RUN_DEFAULTS.seed) },
  'weight-processing': { type: 'string', default: RUN_DEFAULTS.weightProcessing },
  // Every head's max-activating examples: documents scanned; 0 = none.
  'head-example-documents': { type: 'string', default: String(RUN_DEFAULTS.headExampleDocuments) },
  // Neuron explorer: documents scanned per corpus (the run's and the Python comparison corpus); 0 = none.
  'neuron-documents': { type: 'string', default: String(RUN_DEFAULTS.neuronDocuments) },
  // The neurons' comparison corpus (a bundled corpus' slug or a file; `none`): stories vs code by default.
  'neuron-comparison': { type: 'string', default: NEURON_COMPARISON_CORPUS },
  // Circuits (tasks, patching, discovery, head roles): prompt pairs per task; 0 = none (the default).
  circuits: { type: 'string', default: '0' },
} as const;

export type RunDefinitionFlagValues = { [K in keyof typeof RUN_DEFINITION_FLAGS]?: string };

/** `--corpus`: a bundled corpus (by slug or path, with its source and license), else a user's file. */
export async function corpusFromFlag(file: string | undefined): Promise<RunCorpus> {
  const bundled = file
    ? bundledCorpora(repoRoot).find((c) => c.slug === file || path.resolve(c.path) === path.resolve(file))
    : bundledCorpora(repoRoot)[0];
  const source = bundled ?? {
    slug: path
      .basename(file!)
      .replace(/\.[^.]+$/, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
    name: path.basename(file!),
    path: path.resolve(file!),
    source: path.basename(file!),
    license: 'unknown (user-supplied)',
  };
  const documents = await readDocuments(source.path);
  if (documents.length === 0) throw new Error(`corpus ${source.path} has no documents (blank-line separated text expected)`);
  return { slug: source.slug, name: source.name, source: source.source, license: source.license, documents };
}

function integer(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`--${flag} must be an integer, got "${raw}"`);
  return n;
}

export async function runDefinitionFromFlags(values: RunDefinitionFlagValues): Promise<RunDefinition> {
  if (!values.model) throw new Error('--model is required (a model name such as stories260K, or a checkpoint path)');
  const corpus = await corpusFromFlag(values.corpus);
  const neuronDocuments = integer(values['neuron-documents'], 'neuron-documents');
  const comparisonRef = values['neuron-comparison'] ?? NEURON_COMPARISON_CORPUS;
  const comparisonCorpus = neuronDocuments !== 0 && comparisonRef !== 'none' ? await corpusFromFlag(comparisonRef) : null;
  try {
    return defineRun({
      modelRef: values.model,
      corpus,
      maxTexts: integer(values['max-texts'], 'max-texts'),
      seed: integer(values.seed, 'seed'),
      weightProcessing: parseWeightProcessingRequest(values['weight-processing'] ?? RUN_DEFAULTS.weightProcessing) as 'tl' | 'none',
      headExampleDocuments: integer(values['head-example-documents'], 'head-example-documents'),
      neuronDocuments,
      comparisonCorpus,
      circuitPromptPairs: integer(values.circuits, 'circuits'),
    });
  } catch (err) {
    throw new Error(`run definition: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
