/**
 * What a run computes, defined once (issue 15): the model, the corpus, the head metrics' texts, the corpus scans
 * (head examples, neurons) with their document counts, the neurons' comparison corpora, and the circuits. `npm start`, `headwiki
 * publish` and `headwiki run` all build one with `defineRun` and execute it, in one process as a single shard
 * (publishHeadWiki) or on the work queue as many (planRun); the two publish the same rows
 * (workers/worker-process.test.ts).
 */
import type { ModelConfig } from '@/lib/models/types';

export interface RunCorpus {
  slug: string;
  name: string;
  source: string;
  license: string;
  documents: string[];
}

export interface RunDefinition {
  /** Bundled model name or checkpoint path, as given to resolveModel (on the queue: resolvable on every worker). */
  modelRef: string;
  corpus: RunCorpus;
  /** How many corpus documents the head metrics' pattern detectors (and label ablations) read. */
  maxTexts: number;
  seed: number;
  /** Weight processing applied before anything is computed: TransformerLens' defaults or none. */
  weightProcessing: 'tl' | 'none';
  /** Every head's max-activating examples over the corpus' first `maxDocuments` documents; null: none. */
  headExamples: { maxDocuments: number } | null;
  /**
   * The neuron explorer over the first `maxDocuments` documents of the run's corpus and of each comparison corpus
   * (stories vs code: the dataset comparison); null: none. Models without an MLP skip it (`runsNeurons`).
   */
  neurons: { maxDocuments: number; comparisonCorpora: RunCorpus[] } | null;
  /** Circuits (workers/circuits: tasks, patching, discovery, head roles) with this many prompt pairs per task; null: none. */
  circuits: { promptPairs: number } | null;
}

/** The defaults `npm start`, `publish` and `run` share. */
export const RUN_DEFAULTS = {
  seed: 0,
  maxTexts: 200,
  /** Corpus documents scanned for every head's max-activating examples (workers/head-examples). */
  headExampleDocuments: 200,
  /** Documents per corpus scanned by the neuron explorer (workers/neurons). */
  neuronDocuments: 300,
  weightProcessing: 'tl' as const,
};

export interface DefineRunInput {
  modelRef: string;
  corpus: RunCorpus;
  maxTexts?: number;
  seed?: number;
  weightProcessing?: 'tl' | 'none';
  /** 0: no head examples. */
  headExampleDocuments?: number;
  /** 0: no neuron explorer. */
  neuronDocuments?: number;
  /** The neurons' comparison corpus; left out when it is the run's own corpus. */
  comparisonCorpus?: RunCorpus | null;
  /** Prompt pairs per circuit task; 0 or absent: no circuits. */
  circuitPromptPairs?: number;
}

export function defineRun(input: DefineRunInput): RunDefinition {
  const count = (value: number | undefined, fallback: number, what: string, min: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${value}`);
    return v;
  };
  if (input.corpus.documents.length === 0) throw new Error(`corpus "${input.corpus.slug}" has no documents`);
  const maxTexts = count(input.maxTexts, RUN_DEFAULTS.maxTexts, 'max texts', 1);
  const seed = input.seed ?? RUN_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${input.seed}`);
  const headExampleDocuments = count(input.headExampleDocuments, RUN_DEFAULTS.headExampleDocuments, 'head example documents', 0);
  const neuronDocuments = count(input.neuronDocuments, RUN_DEFAULTS.neuronDocuments, 'neuron documents', 0);
  const circuitPromptPairs = count(input.circuitPromptPairs, 0, 'circuit prompt pairs', 0);
  const comparison = input.comparisonCorpus && input.comparisonCorpus.slug !== input.corpus.slug ? [input.comparisonCorpus] : [];
  return {
    modelRef: input.modelRef,
    corpus: input.corpus,
    maxTexts,
    seed,
    weightProcessing: input.weightProcessing ?? RUN_DEFAULTS.weightProcessing,
    headExamples: headExampleDocuments > 0 ? { maxDocuments: headExampleDocuments } : null,
    neurons: neuronDocuments > 0 ? { maxDocuments: neuronDocuments, comparisonCorpora: comparison } : null,
    circuits: circuitPromptPairs > 0 ? { promptPairs: circuitPromptPairs } : null,
  };
}

/** Whether the model has MLP neurons to scan (attention-only models do not). */
export function runsNeurons(definition: RunDefinition, cfg: ModelConfig): boolean {
  return definition.neurons !== null && cfg.d_mlp > 0 && !cfg.attn_only;
}

/** What a run records about its definition in its options (both paths record the same). */
export function definitionOptions(definition: RunDefinition, cfg: ModelConfig): Record<string, unknown> {
  const neurons = runsNeurons(definition, cfg) ? definition.neurons! : null;
  return {
    maxTexts: definition.maxTexts,
    definition: {
      headExamples: definition.headExamples,
      neurons: neurons && { maxDocuments: neurons.maxDocuments, comparisonCorpora: neurons.comparisonCorpora.map((c) => c.slug) },
      circuits: definition.circuits,
    },
  };
}
