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
import { definitionOptions, runsNeurons, type RunDefinition } from './run-definition';
import { saveCircuits } from '@/lib/db/circuits';
import { computeCircuitWiki, type CircuitComputations } from './circuits/compute';
import { circuitComputations } from './circuits/computations';

export interface PublishHeadWikiInput {
  /** What the run computes (workers/run-definition.ts); its modelRef names `model`, already loaded and processed. */
  definition: RunDefinition;
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  codeVersion: string;
  /** Recorded with the run (weight processing, engine, ...). */
  options: Record<string, unknown>;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
  /** Neuron scan options beyond the defaults (tests). */
  neuronOptions?: Partial<NeuronScanOptions>;
  /** The circuit computations (default lib/circuits'; tests may pass others). */
  circuitComputations?: CircuitComputations;
}

/**
 * Executes a run definition in this process, as one shard, and publishes it as one new run.
 * The run is written while `running` and becomes visible only when `publishRun` flips it in one
 * transaction; on any error it is marked failed, so readers never see a half-written run.
 */
export async function publishHeadWiki(input: PublishHeadWikiInput): Promise<RunInfo> {
  const started = Date.now();
  const { definition } = input;
  const corpus = definition.corpus;
  await upsertModel(modelInfo(input.model));
  await upsertCorpus(corpus);
  const texts = corpus.documents.slice(0, definition.maxTexts);
  const neurons = runsNeurons(definition, input.model.cfg) ? definition.neurons! : null;

  const result = await computeHeadWiki({
    model: input.model,
    tokenizer: input.tokenizer,
    runner: input.runner,
    texts,
    seed: definition.seed,
    onProgress: input.onProgress,
  });

  const examples = definition.headExamples
    ? await computeHeadExamples({
        cfg: input.model.cfg,
        runner: input.runner,
        tokenizer: input.tokenizer,
        documents: corpus.documents.slice(0, definition.headExamples.maxDocuments),
        onProgress: (p) => input.onProgress?.({ step: 'head examples', done: p.contexts, total: p.total }),
      })
    : null;

  const neuronWikis = neurons
    ? await computeNeuronWiki({
        model: input.model,
        runner: input.runner,
        tokenizer: input.tokenizer,
        corpora: [corpus, ...neurons.comparisonCorpora],
        maxDocuments: neurons.maxDocuments,
        options: { seed: definition.seed, ...input.neuronOptions },
        onProgress: input.onProgress,
      })
    : null;
  for (const c of neurons?.comparisonCorpora ?? []) await upsertCorpus(c);

  const circuits = definition.circuits
    ? await computeCircuitWiki({
        computations: input.circuitComputations ?? circuitComputations,
        promptPairs: definition.circuits.promptPairs,
        model: input.model,
        tokenizer: input.tokenizer,
        runner: input.runner,
        seed: definition.seed,
        onProgress: input.onProgress,
      })
    : null;

  const run = await createRun({
    modelSlug: input.model.cfg.model_name,
    corpusSlug: corpus.slug,
    options: {
      ...input.options,
      ...definitionOptions(definition, input.model.cfg),
      ...result.notes,
      ...(examples
        ? {
            headExamples: {
              ...examples.options,
              documents: definition.headExamples!.maxDocuments,
              contexts: examples.contexts,
              tokens: examples.tokens,
            },
          }
        : {}),
      ...(circuits ? { circuits: circuits.notes } : {}),
    },
    codeVersion: input.codeVersion,
    seed: definition.seed,
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
