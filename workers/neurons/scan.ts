/**
 * The neuron scan, as pure functions so that a job queue can run it per corpus shard:
 *   ranges = await calibrateNeuronRanges(input)            once, on the first contexts (shared by all shards)
 *   shard  = await scanNeuronShard({ ...input, options })  per shard → NeuronShardResult (stageable by lib/queue/result-codec)
 *   merged = mergeNeuronShards([shard, ...])               exact (see lib/metrics/streaming)
 * then finalizeNeuronStats (finalize.ts) and publishNeuronWiki (publish.ts).
 *
 * Per layer and neuron site it streams every neuron (UnitStream over d_mlp units) and, as a baseline, the
 * same statistics for `randomDirections` random unit directions in the same activation space.
 * Memory: (d_mlp + directions) × (k + bins + randomK) examples per layer, plus one batch of activations.
 */
import os from 'node:os';
import type { CanonicalModel } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { ForwardRunner } from '@/lib/engine/types';
import type { Projection } from '@/lib/engine/projections';
import { UnitStream, rangesFromCalibration, type HistogramRange, type UnitStreamJSON } from '@/lib/metrics/streaming';
import { batchContexts, contextGroups, type CorpusDoc } from './contexts';
import { neuronSites, type NeuronSite } from '@/lib/metrics/neurons/sites';
import { baselineRows, siteStates, streamKey, tensorFor, type SiteState } from './observe-batch';
import { statisticsLane, type StatisticsLaneKind } from './statistics-lane';

/** Contexts tokenized and batched at a time (sorted by length within the group to keep padding small). */
const CONTEXT_GROUP = 1024;

/**
 * 2: top examples keep the whole prefix of their context (was 48 tokens).
 * 3: a shard's examples travel as typed arrays in base64 (ExampleTableJSON), not one object per example.
 */
export const NEURON_SCAN_VERSION = 3;

export interface NeuronScanOptions {
  /** Tokens per context, BOS included (default min(128, n_ctx)). */
  contextLength: number;
  batchSize: number;
  k: number;
  randomK: number;
  bins: number;
  seed: number;
  /**
   * Window of top (and diverse) examples: tokens kept before / after the max token. The default keeps the whole
   * prefix the causal model read (contextLength − 1), so an example expands to its full context; memory is
   * units × 2k × (before + after + 1) values, whatever the corpus' length.
   */
  exampleBefore: number;
  exampleAfter: number;
  /** Random directions per layer/site for the baseline. */
  randomDirections: number;
  sites: NeuronSite[];
  layers: number[];
}

/** Histogram ranges per `${layer}.${site}`: neurons and baseline directions. */
export type NeuronRanges = Record<string, { neurons: HistogramRange[]; baseline: HistogramRange[] }>;

export interface NeuronScanInput {
  model: CanonicalModel;
  runner: ForwardRunner;
  tokenizer: Tokenizer;
  docs: CorpusDoc[];
  options?: Partial<NeuronScanOptions>;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
  /**
   * Where the statistics run: on a thread of their own, overlapping the next batch's forward ('thread'), or
   * between forwards on this one ('inline'); the result is the same. 'auto' (default): inline for the first
   * CONTEXT_GROUP contexts, then on a thread where there is a second core. The thread costs ~0.3 s to start and,
   * early in a scan, the statistics (lists filling) are as slow as the forward, so sharing the cores gains
   * nothing; later they are a fraction of it and run hidden behind it (scan / plain forward, 2 cores, 380k
   * tokens: stories260K 0.77 vs 0.68, gelu-2l 0.65 vs 0.48).
   */
  statistics?: StatisticsLaneKind | 'auto';
  /** Contexts tokenized and batched at a time (default CONTEXT_GROUP; tests make it small). */
  contextGroup?: number;
}

export interface NeuronStreamResult {
  layer: number;
  site: NeuronSite;
  /** The streams themselves in memory; their state (UnitStream.toJSON) after a trip through the job queue. */
  neurons: UnitStream | UnitStreamJSON;
  baseline: UnitStream | UnitStreamJSON;
}

export interface NeuronShardResult {
  version: number;
  modelSlug: string;
  options: NeuronScanOptions;
  ranges: NeuronRanges;
  contexts: number;
  tokens: number;
  streams: NeuronStreamResult[];
}

export function defaultScanOptions(model: CanonicalModel, o: Partial<NeuronScanOptions> = {}): NeuronScanOptions {
  const { cfg } = model;
  const options: NeuronScanOptions = {
    contextLength: o.contextLength ?? Math.min(128, cfg.n_ctx),
    batchSize: o.batchSize ?? 16,
    k: o.k ?? 20,
    randomK: o.randomK ?? 10,
    bins: o.bins ?? 50,
    seed: o.seed ?? 0,
    exampleBefore: 0,
    exampleAfter: o.exampleAfter ?? 16,
    randomDirections: o.randomDirections ?? 16,
    sites: o.sites ?? neuronSites(cfg),
    layers: o.layers ?? Array.from({ length: cfg.n_layers }, (_, l) => l),
  };
  options.exampleBefore = o.exampleBefore ?? options.contextLength - 1;
  for (const key of ['exampleBefore', 'exampleAfter'] as const) {
    if (!(Number.isInteger(options[key]) && options[key] >= 0)) throw new Error(`${key} must be a non-negative integer, got ${options[key]}`);
  }
  if (options.sites.length === 0) throw new Error(`${cfg.model_name} has no MLP neurons (attention-only)`);
  if (options.contextLength > cfg.n_ctx) throw new Error(`contextLength ${options.contextLength} exceeds n_ctx ${cfg.n_ctx}`);
  for (const l of options.layers) if (!(Number.isInteger(l) && l >= 0 && l < cfg.n_layers)) throw new Error(`layer ${l} is not in 0..${cfg.n_layers - 1}`);
  return options;
}

function projectionsOf(states: SiteState[], R: number): Projection[] {
  return R === 0 ? [] : states.map((s) => ({ hook: s.hook, matrix: s.matrix, columns: R }));
}

type Cache = Awaited<ReturnType<ForwardRunner['run']>>;

/**
 * Runs batches through the model and visits each batch's activations. onnxruntime-node runs a session
 * synchronously on the JS thread (inside a setImmediate): a visit that hands the batch to another thread
 * (statistics-lane.ts) lets the next forward run meanwhile.
 */
async function forEachBatch(
  runner: ForwardRunner,
  batches: ReturnType<typeof batchContexts>,
  hooks: string[],
  projections: Projection[],
  visit: (batch: ReturnType<typeof batchContexts>[number], cache: Cache) => void | Promise<void>,
  onBatch?: (done: number) => void,
): Promise<void> {
  // One batch after the other: requesting the next forward before visiting this batch would overlap nothing (the
  // run happens on this thread), and would leave a run behind when a visit throws.
  for (let i = 0; i < batches.length; i++) {
    await visit(batches[i], await runner.run(batches[i].padded, hooks, { projections }));
    onBatch?.(i + 1);
  }
}

/** Histogram ranges from the first `calibrationContexts` contexts (min/max per neuron and direction, widened). */
export async function calibrateNeuronRanges(input: NeuronScanInput & { calibrationContexts?: number }): Promise<NeuronRanges> {
  const options = defaultScanOptions(input.model, input.options);
  const d = input.model.cfg.d_mlp;
  const R = options.randomDirections;
  const wanted = input.calibrationContexts ?? 32;
  const first = contextGroups(input.tokenizer, input.docs, options.contextLength, wanted).next();
  const contexts = first.done ? [] : first.value.contexts.slice(0, wanted);
  if (contexts.length === 0) throw new Error('calibrateNeuronRanges: the corpus has no text to calibrate on');
  const states = siteStates(d, options);
  const mins = states.map(() => ({ n: new Float64Array(d).fill(Infinity), b: new Float64Array(R).fill(Infinity) }));
  const maxs = states.map(() => ({ n: new Float64Array(d).fill(-Infinity), b: new Float64Array(R).fill(-Infinity) }));
  const proj = new Float32Array(options.contextLength * R);
  const batches = batchContexts(contexts, options.batchSize, input.tokenizer.eosId);
  await forEachBatch(input.runner, batches, states.map((s) => s.hook), projectionsOf(states, R), (batch, cache) => {
    const seq = batch.padded[0].length;
    states.forEach((s, si) => {
      const data = tensorFor(cache, s.hook, batch.contexts.length, seq, d);
      batch.contexts.forEach((c, b) => {
        const n = c.tokens.length;
        for (let p = 1; p < n; p++) {
          for (let u = 0; u < d; u++) {
            const x = data[(b * seq + p) * d + u];
            if (x < mins[si].n[u]) mins[si].n[u] = x;
            if (x > maxs[si].n[u]) maxs[si].n[u] = x;
          }
        }
        const rows = baselineRows(cache, s, R, data, b, seq, d, n, proj);
        for (let p = 1; p < n; p++) {
          for (let r = 0; r < R; r++) {
            const x = rows.data[rows.offset + p * R + r];
            if (x < mins[si].b[r]) mins[si].b[r] = x;
            if (x > maxs[si].b[r]) maxs[si].b[r] = x;
          }
        }
      });
    });
  });
  const ranges: NeuronRanges = {};
  states.forEach((s, si) => {
    ranges[streamKey(s.layer, s.site)] = { neurons: rangesFromCalibration(mins[si].n, maxs[si].n), baseline: rangesFromCalibration(mins[si].b, maxs[si].b) };
  });
  return ranges;
}

/** Streams one shard of documents (documents keep their corpus-wide index) into mergeable statistics. */
export async function scanNeuronShard(input: NeuronScanInput & { ranges: NeuronRanges }): Promise<NeuronShardResult> {
  const { model, runner, tokenizer, ranges } = input;
  const options = defaultScanOptions(model, input.options);
  const d = model.cfg.d_mlp;
  const R = options.randomDirections;
  const states = siteStates(d, options);
  const init = { dMlp: d, options, ranges };
  const wanted = input.statistics ?? 'auto';
  let lane = statisticsLane(wanted === 'thread' ? 'thread' : 'inline', init);
  try {
    let tokens = 0;
    let contexts = 0;
    let docsBefore = 0;
    for (const group of contextGroups(tokenizer, input.docs, options.contextLength, input.contextGroup ?? CONTEXT_GROUP)) {
      if (wanted === 'auto' && lane.kind === 'inline' && contexts > 0 && os.availableParallelism() >= 2) {
        // A long scan: from its second group of contexts on, the statistics run on a thread of their own.
        lane = statisticsLane('thread', init, await lane.finish());
      }
      contexts += group.contexts.length;
      const batches = batchContexts(group.contexts, options.batchSize, tokenizer.eosId);
      await forEachBatch(
        runner,
        batches,
        states.map((s) => s.hook),
        projectionsOf(states, R),
        async (batch, cache) => {
          for (const c of batch.contexts) tokens += c.tokens.length - 1;
          await lane.observe(batch.contexts, batch.padded[0].length, cache);
        },
        // Progress in documents (a group's batches share its documents evenly).
        (done) => input.onProgress?.({ step: 'neuron scan', done: Math.round(docsBefore + ((group.docsDone - docsBefore) * done) / batches.length), total: input.docs.length }),
      );
      docsBefore = group.docsDone;
    }
    const streams = await lane.finish();
    return {
      version: NEURON_SCAN_VERSION,
      modelSlug: model.cfg.model_name,
      options,
      ranges,
      contexts,
      tokens,
      streams: states.map((s, si) => ({ layer: s.layer, site: s.site, neurons: streams[si].neurons, baseline: streams[si].baseline })),
    };
  } finally {
    lane.close();
  }
}

/** Merges shard results exactly; shards must come from the same model, options and ranges. */
export function mergeNeuronShards(results: NeuronShardResult[]): NeuronShardResult {
  if (results.length === 0) throw new Error('mergeNeuronShards: nothing to merge');
  const [first, ...rest] = results;
  for (const r of rest) {
    if (r.modelSlug !== first.modelSlug || r.version !== first.version || JSON.stringify(r.options) !== JSON.stringify(first.options)) {
      throw new Error('mergeNeuronShards: shards come from different models, versions or options');
    }
  }
  // Merging writes into the first shard's stream: when there are others, into a copy, so a shard's result in
  // memory stays as it was.
  const mergeAll = (streamOf: (r: NeuronShardResult) => UnitStream | UnitStreamJSON) => {
    const own = streamOf(first);
    const into = rest.length > 0 && own instanceof UnitStream ? UnitStream.fromJSON(own.toJSON()) : UnitStream.from(own);
    return rest.reduce((a, r) => UnitStream.merge(a, UnitStream.from(streamOf(r))), into);
  };
  const streams = first.streams.map((s, i) => ({
    layer: s.layer,
    site: s.site,
    neurons: mergeAll((r) => r.streams[i].neurons),
    baseline: mergeAll((r) => r.streams[i].baseline),
  }));
  return {
    ...first,
    contexts: results.reduce((a, r) => a + r.contexts, 0),
    tokens: results.reduce((a, r) => a + r.tokens, 0),
    streams,
  };
}
