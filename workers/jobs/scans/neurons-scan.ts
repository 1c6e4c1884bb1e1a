/** The neuron scan (workers/neurons) as queue shards: calibrate once, scan shards, merge exactly, then minimal examples. */
import { compareDatasets, finalizeNeuronStats } from '../../neurons/finalize';
import { findMinimalExamples } from '../../neurons/minimal-examples';
import { saveNeuronWiki } from '../../neurons/publish';
import { buildContexts } from '../../neurons/contexts';
import {
  calibrateNeuronRanges,
  defaultScanOptions,
  mergeNeuronShards,
  scanNeuronShard,
  type NeuronRanges,
  type NeuronShardResult,
} from '../../neurons/scan';
import type { CorpusScan } from '../corpus-scans';

/** Top examples per neuron that get a minimal example (computeNeuronWiki's default). */
const MINIMAL_TOP_N = 5;

export const neuronsScan: CorpusScan<NeuronShardResult, NeuronRanges> = {
  id: 'neurons',
  calibrate: ({ model, runner, tokenizer, corpus, seed }) =>
    calibrateNeuronRanges({ model, runner, tokenizer, docs: corpus, options: { seed } }),
  scanShard: ({ model, runner, tokenizer, documents, calibration, seed, onTokens }) => {
    // The scan reports batches: turned into tokens with the shard's token count (tokenizing is cheap next to the forwards).
    const tokens = buildContexts(tokenizer, documents, defaultScanOptions(model, { seed }).contextLength).reduce(
      (a, c) => a + c.tokens.length,
      0,
    );
    return scanNeuronShard({
      model,
      runner,
      tokenizer,
      docs: documents,
      options: { seed },
      ranges: calibration,
      onProgress: (p) => onTokens(p.total > 0 ? Math.round((tokens * p.done) / p.total) : 0, tokens),
    });
  },
  // Staged per layer: 24 sites × 3,072 neurons of example tables pass Postgres' 1 GB per value (GPT-2 small).
  layerParts: {
    split: (shard) => ({
      head: { ...shard, streams: [] },
      parts: [...new Set(shard.streams.map((s) => s.layer))].map((layer) => ({
        layer,
        value: shard.streams.filter((s) => s.layer === layer),
      })),
    }),
    // In the scan's own order of layers (its streams are layer-major), so a whole join is the shard as it was.
    join: (head, parts) => {
      const shard = head as NeuronShardResult;
      const order = new Map(shard.options.layers.map((l, i) => [l, i]));
      const sorted = [...parts].sort((a, b) => (order.get(a.layer) ?? a.layer) - (order.get(b.layer) ?? b.layer));
      return { ...shard, streams: sorted.flatMap((p) => p.value as NeuronShardResult['streams']) };
    },
  },
  async mergeAndSave(runId, corpora, { model, tokenizer, runner, layer }) {
    // As computeNeuronWiki in one process: every corpus finalized, minimal examples and the dataset comparison
    // on the run's own corpus (first), then all saved together; per layer, only that layer's streams.
    const ofLayer = (shard: NeuronShardResult) =>
      layer === undefined ? shard : { ...shard, streams: shard.streams.filter((s) => s.layer === layer) };
    const wikis = [];
    for (const c of corpora) {
      wikis.push(await finalizeNeuronStats({ model, corpusSlug: c.corpusSlug, merged: mergeNeuronShards(c.shards.map(ofLayer)) }));
    }
    const [primary, ...others] = wikis;
    if (!primary || corpora[0].comparison) throw new Error("neurons: the run's own corpus was not scanned");
    const neurons = primary.layers.flatMap((l) => l.neurons);
    const minimal = await findMinimalExamples(
      runner,
      neurons.map((n) => ({ layer: n.layer, site: n.site, neuron: n.neuron, examples: n.summary.top.slice(0, MINIMAL_TOP_N) })),
      { bosId: tokenizer.bosId },
    );
    neurons.forEach((n, i) => (n.minimal = minimal[i]));
    for (const other of others) compareDatasets(primary, other, (t) => tokenizer.piece(t));
    await saveNeuronWiki(runId, wikis, tokenizer);
  },
};
