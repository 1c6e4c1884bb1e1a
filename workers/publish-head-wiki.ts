import type { CanonicalModel } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { ForwardRunner } from '@/lib/engine/types';
import { upsertModel } from '@/lib/db/models';
import { upsertCorpus } from '@/lib/db/corpora';
import { createRun, failRun, publishRun, type RunInfo } from '@/lib/db/runs';
import { saveHeadMetrics } from '@/lib/db/head-metrics';
import { saveExampleText, saveHeadPatterns } from '@/lib/db/head-patterns';
import { saveHeadComposition } from '@/lib/db/head-composition';
import { saveHeadLabels } from '@/lib/db/head-labels';
import { computeHeadWiki } from './compute-head-wiki';
import { saveHeadExamples } from '@/lib/db/head-examples';
import { computeHeadExamples } from './head-examples/compute';
import { modelInfo } from './model-info';
import { computeNeuronWiki } from './neurons/compute';
import { saveNeuronWiki } from './neurons/publish';
import type { NeuronScanOptions } from './neurons/scan';
import { saveCircuits } from '@/lib/db/circuits';
import { computeCircuitWiki, type CircuitComputations } from './circuits/compute';

export interface PublishHeadWikiInput {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  corpus: { slug: string; name: string; source: string; license: string; documents: string[] };
  /** How many corpus documents the pattern detectors read. */
  maxTexts: number;
  seed: number;
  codeVersion: string;
  /** Recorded with the run (weight processing, engine, ...). */
  options: Record<string, unknown>;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
  /** Max-activating examples of every head over the first `maxDocuments` corpus documents (workers/head-examples); none when absent. */
  headExamples?: { maxDocuments: number };
  /**
   * The neuron explorer (workers/neurons) over the first `maxDocuments` documents of the run's corpus and of each
   * comparison corpus (stories vs code, 6.37); none when absent.
   */
  neurons?: {
    maxDocuments: number;
    comparisonCorpora?: { slug: string; name: string; source: string; license: string; documents: string[] }[];
    options?: Partial<NeuronScanOptions>;
    minimalTopN?: number;
  };
  /** Circuits (workers/circuits): tasks, patching, discovered circuits and head roles; none when absent. */
  circuits?: { computations: CircuitComputations; promptPairs?: number };
}

/**
 * Computes a model's head wiki and publishes it as one new run.
 * The run is written while `running` and becomes visible only when `publishRun` flips it in one
 * transaction; on any error it is marked failed, so readers never see a half-written run.
 */
export async function publishHeadWiki(input: PublishHeadWikiInput): Promise<RunInfo> {
  const started = Date.now();
  await upsertModel(modelInfo(input.model));
  await upsertCorpus(input.corpus);
  const texts = input.corpus.documents.slice(0, input.maxTexts);

  const result = await computeHeadWiki({
    model: input.model,
    tokenizer: input.tokenizer,
    runner: input.runner,
    texts,
    seed: input.seed,
    onProgress: input.onProgress,
  });

  const examples = input.headExamples
    ? await computeHeadExamples({
        cfg: input.model.cfg,
        runner: input.runner,
        tokenizer: input.tokenizer,
        documents: input.corpus.documents.slice(0, input.headExamples.maxDocuments),
        onProgress: (p) => input.onProgress?.({ step: 'head examples', done: p.contexts, total: p.total }),
      })
    : null;

  const neuronWikis = input.neurons
    ? await computeNeuronWiki({
        model: input.model,
        runner: input.runner,
        tokenizer: input.tokenizer,
        corpora: [input.corpus, ...(input.neurons.comparisonCorpora ?? [])],
        maxDocuments: input.neurons.maxDocuments,
        options: { seed: input.seed, ...input.neurons.options },
        minimalTopN: input.neurons.minimalTopN,
        onProgress: input.onProgress,
      })
    : null;
  for (const c of input.neurons?.comparisonCorpora ?? []) await upsertCorpus(c);

  const circuits = input.circuits
    ? await computeCircuitWiki({
        ...input.circuits,
        model: input.model,
        tokenizer: input.tokenizer,
        runner: input.runner,
        seed: input.seed,
        onProgress: input.onProgress,
      })
    : null;

  const run = await createRun({
    modelSlug: input.model.cfg.model_name,
    corpusSlug: input.corpus.slug,
    options: {
      ...input.options,
      maxTexts: input.maxTexts,
      ...result.notes,
      ...(examples
        ? {
            headExamples: {
              ...examples.options,
              documents: input.headExamples!.maxDocuments,
              contexts: examples.contexts,
              tokens: examples.tokens,
            },
          }
        : {}),
      ...(circuits ? { circuits: circuits.notes } : {}),
    },
    codeVersion: input.codeVersion,
    seed: input.seed,
    metricVersions: result.metricVersions,
  });
  try {
    await saveHeadMetrics(run.id, result.metrics);
    await saveExampleText(run.id, { tokenIds: result.example.tokenIds, tokens: result.example.tokens });
    await saveHeadPatterns(run.id, result.example.patterns);
    if (result.composition) await saveHeadComposition(run.id, result.composition.scores, result.composition.baselines);
    if (result.labels) await saveHeadLabels(run.id, result.labels);
    if (examples) await saveHeadExamples(run.id, examples.heads, examples.options.sourcesPerRow);
    if (neuronWikis) await saveNeuronWiki(run.id, neuronWikis, input.tokenizer);
    if (circuits) await saveCircuits(run.id, circuits.tasks, circuits.roles);
    return await publishRun(run.id, Date.now() - started);
  } catch (err) {
    await failRun(run.id, err instanceof Error ? err.message : String(err)).catch(() => {});
    throw err;
  }
}
