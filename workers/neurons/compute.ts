/**
 * The whole neuron wiki of a model on one or more corpora, in one process: calibrate, scan (optionally in
 * several shards, merged exactly — the same functions a job queue runs per shard), finalize, minimal
 * examples for the first corpus, and the dataset comparison of the first corpus against the others.
 */
import type { CanonicalModel } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { ForwardRunner } from '@/lib/engine/types';
import { calibrateNeuronRanges, mergeNeuronShards, scanNeuronShard, type NeuronScanOptions } from './scan';
import { compareDatasets, finalizeNeuronStats, type NeuronCorpusWiki } from './finalize';
import { findMinimalExamples, minimalRate } from './minimal-examples';
import type { CorpusDoc } from './contexts';

export interface ComputeNeuronWikiInput {
  model: CanonicalModel;
  runner: ForwardRunner;
  tokenizer: Tokenizer;
  /** The first corpus is the run's; the others are compared with it (6.37). */
  corpora: { slug: string; documents: string[] }[];
  options?: Partial<NeuronScanOptions>;
  /** Documents read per corpus (default all). */
  maxDocuments?: number;
  /** Top examples per neuron that get a minimal example (default 5; 0 = none). */
  minimalTopN?: number;
  /** Split each corpus into this many shards (default 1). */
  shards?: number;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
}

export async function computeNeuronWiki(input: ComputeNeuronWikiInput): Promise<NeuronCorpusWiki[]> {
  const { model, runner, tokenizer } = input;
  if (input.corpora.length === 0) throw new Error('computeNeuronWiki: needs at least one corpus');
  const wikis: NeuronCorpusWiki[] = [];
  for (const corpus of input.corpora) {
    const docs: CorpusDoc[] = corpus.documents.slice(0, input.maxDocuments ?? Infinity).map((text, index) => ({ index, text }));
    if (docs.length === 0) throw new Error(`computeNeuronWiki: corpus ${corpus.slug} has no documents`);
    const progress = (p: { step: string; done: number; total: number }) => input.onProgress?.({ ...p, step: `${p.step} (${corpus.slug})` });
    const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs, options: input.options });
    const shards = Math.max(1, Math.min(input.shards ?? 1, docs.length));
    const per = Math.ceil(docs.length / shards);
    const results = [];
    for (let s = 0; s < shards; s++) {
      results.push(
        await scanNeuronShard({
          model,
          runner,
          tokenizer,
          docs: docs.slice(s * per, (s + 1) * per),
          options: input.options,
          ranges,
          onProgress: progress,
        }),
      );
    }
    wikis.push(await finalizeNeuronStats({ model, corpusSlug: corpus.slug, merged: mergeNeuronShards(results) }));
  }

  const [primary, ...others] = wikis;
  const topN = input.minimalTopN ?? 5;
  if (topN > 0) {
    const neurons = primary.layers.flatMap((l) => l.neurons);
    const minimal = await findMinimalExamples(
      runner,
      neurons.map((n) => ({ layer: n.layer, site: n.site, neuron: n.neuron, examples: n.summary.top.slice(0, topN) })),
      { bosId: tokenizer.bosId, onProgress: input.onProgress },
    );
    neurons.forEach((n, i) => (n.minimal = minimal[i]));
  }
  for (const other of others) compareDatasets(primary, other, (t) => tokenizer.piece(t));
  return wikis;
}

export { minimalRate };
