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
import type { CanonicalModel, ModelConfig } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { ForwardRunner, HookName } from '@/lib/engine/types';
import { fitBatchSize } from '@/lib/engine/memory-estimate';
import { projectedName, type Projection } from '@/lib/engine/projections';
import { reducedName } from '@/lib/engine/reductions';
import {
  NonFiniteActivationError,
  PositionReducer,
  UnitStream,
  type ContextReductions,
  rangesFromCalibration,
  type HistogramRange,
  type UnitStreamJSON,
} from '@/lib/metrics/streaming';
import { MAX_CHUNKS_PER_DOC, batchContexts, contextGroups, type CorpusDoc, type ScanContext } from './contexts';
import { neuronSites, siteHook, type NeuronSite } from '@/lib/metrics/neurons/sites';
import { directionSeed, project, randomDirections, transposeDirections } from './random-directions';

/** Contexts tokenized and batched at a time (sorted by length within the group to keep padding small). */
const CONTEXT_GROUP = 1024;

/**
 * 2: top examples keep the whole prefix of their context (was 48 tokens).
 * 3: a shard's examples travel as typed arrays in base64 (ExampleTableJSON), not one object per example.
 * 4: neurons' moments, density and top examples from in-graph reductions (float32 sums per context); histograms and
 *    quantile samples from a keyed 1-in-`sampleEvery` subsample of tokens.
 * 5: on the CPU, the per-context sums in position order on the host (PositionReducer; the graph's MatMul sums round
 *    differently in their last bits), so shards of versions 4 and 5 do not merge.
 */
export const NEURON_SCAN_VERSION = 5;

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
  /**
   * Neurons' histograms and quantile samples take about one token in `sampleEvery` (those whose sampling key, a hash
   * of document and position, falls below 2^32 / sampleEvery; the same tokens whatever the shard split); 1: every
   * token. Moments, density, top and random examples always see every token.
   */
  sampleEvery: number;
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
    sampleEvery: o.sampleEvery ?? 8,
    sites: o.sites ?? neuronSites(cfg),
    layers: o.layers ?? Array.from({ length: cfg.n_layers }, (_, l) => l),
  };
  options.exampleBefore = o.exampleBefore ?? options.contextLength - 1;
  if (!(Number.isInteger(options.sampleEvery) && options.sampleEvery >= 1))
    throw new Error(`sampleEvery must be a positive integer, got ${options.sampleEvery}`);
  for (const key of ['exampleBefore', 'exampleAfter'] as const) {
    if (!(Number.isInteger(options[key]) && options[key] >= 0))
      throw new Error(`${key} must be a non-negative integer, got ${options[key]}`);
  }
  if (options.sites.length === 0) throw new Error(`${cfg.model_name} has no MLP neurons (attention-only)`);
  if (options.contextLength > cfg.n_ctx) throw new Error(`contextLength ${options.contextLength} exceeds n_ctx ${cfg.n_ctx}`);
  for (const l of options.layers)
    if (!(Number.isInteger(l) && l >= 0 && l < cfg.n_layers)) throw new Error(`layer ${l} is not in 0..${cfg.n_layers - 1}`);
  return options;
}

const streamKey = (layer: number, site: NeuronSite) => `${layer}.${site}`;

interface SiteState {
  layer: number;
  site: NeuronSite;
  hook: string;
  /** Random directions [d_mlp, randomDirections]: projected in the graph (lib/engine/projections.ts)... */
  matrix: Float32Array;
  /** ...or, by runners without projections, in JavaScript with these, transposed: [randomDirections, d_mlp]. */
  dirs: Float32Array;
}

function siteStates(model: CanonicalModel, options: NeuronScanOptions): SiteState[] {
  const d = model.cfg.d_mlp;
  return options.layers.flatMap((layer) =>
    options.sites.map((site, i) => {
      const matrix = randomDirections(d, options.randomDirections, directionSeed(options.seed, layer, i));
      return { layer, site, hook: siteHook(layer, site), matrix, dirs: transposeDirections(matrix, d, options.randomDirections) };
    }),
  );
}

function projectionsOf(states: SiteState[], R: number): Projection[] {
  return R === 0 ? [] : states.map((s) => ({ hook: s.hook, matrix: s.matrix, columns: R }));
}

type Cache = Awaited<ReturnType<ForwardRunner['run']>>;

/**
 * Context b's projections onto the random directions, as { data, offset, posStride }: the graph's output when the
 * runner computed it (OnnxRunner), else computed here into `scratch`.
 */
function baselineRows(
  cache: Cache,
  s: SiteState,
  R: number,
  act: Float32Array,
  b: number,
  seq: number,
  d: number,
  positions: number,
  scratch: Float32Array,
) {
  const t = cache.get(projectedName(s.hook));
  if (t) {
    if (t.shape.join() !== [cache.get(s.hook)!.shape[0], seq, R].join())
      throw new Error(`runner returned ${projectedName(s.hook)} with shape [${t.shape.join(', ')}]`);
    return { data: t.data, offset: b * seq * R };
  }
  project(act, b * seq * d, positions, d, s.dirs, R, scratch);
  return { data: scratch, offset: 0 };
}

/**
 * Runs batches through the model and visits each batch's activations. onnxruntime-node runs a session
 * synchronously on the JS thread (inside a setImmediate), so the forward and the statistics take turns.
 */
async function forEachBatch(
  runner: ForwardRunner,
  batches: ReturnType<typeof batchContexts>,
  hooks: string[],
  projections: Projection[],
  visit: (batch: ReturnType<typeof batchContexts>[number], cache: Cache) => void,
  onBatch?: (done: number) => void,
  reduce?: { hooks: string[]; length: number },
): Promise<void> {
  // One batch after the other: requesting the next forward before visiting this batch would overlap nothing (the
  // run happens on this thread), and would leave a run behind when a visit throws.
  for (let i = 0; i < batches.length; i++) {
    const reductions = reduce && { ...reduce, observed: observedPositions(batches[i], reduce.length) };
    const cache = await runner.run(batches[i].padded, hooks, { projections, reductions });
    visit(batches[i], cache);
    // The streams copied what they keep: the next forward writes into these arrays (no garbage per batch).
    runner.recycle?.(cache);
    onBatch?.(i + 1);
  }
}

/**
 * Where the scan's position reductions (max, min, Σx..Σx⁴, #x > 0 per context and neuron) run: in the graph on an
 * accelerator, where they are a few cheap kernels beside the forward; on the host otherwise (PositionReducer: one
 * WebAssembly pass, where the same reductions as CPU graph nodes are a dozen unfused passes through memory,
 * ≈ 0.3–0.4 × the forward's CPU time; scripts/bench/reductions.ts). HEADWIKI_REDUCTIONS=graph|host forces either
 * (benchmarks). Per-context results are deterministic either way; the two differ only in float32 rounding of the sums.
 */
export function reductionsInGraph(runner: ForwardRunner): boolean {
  const forced = process.env.HEADWIKI_REDUCTIONS;
  if (forced === 'graph' || forced === 'host') return forced === 'graph';
  const provider = (runner as { activeProvider?: string | null }).activeProvider;
  return typeof provider === 'string' && provider !== 'cpu';
}

/** [batch × length]: 1 at every context's positions 1..n−1 (BOS and padding are not observed). */
function observedPositions(batch: ReturnType<typeof batchContexts>[number], length: number): Float32Array {
  const observed = new Float32Array(batch.contexts.length * length);
  batch.contexts.forEach((c, b) => observed.fill(1, b * length + 1, b * length + c.tokens.length));
  return observed;
}

/**
 * A hook's per-context reductions over positions 1..n−1: the graph's when the runner computed them, else computed
 * here from the activations (PositionReducer; also for runners without reductions: ReferenceRunner, test fakes).
 */
function reductionsOf(
  cache: Cache,
  hook: string,
  data: Float32Array,
  batch: ReturnType<typeof batchContexts>[number],
  seq: number,
  reducer: PositionReducer,
  unitMajor: boolean,
): (b: number) => ContextReductions {
  const max = cache.get(reducedName(hook, 'max'));
  if (max) {
    const get = (what: 'min' | 'sums') => cache.get(reducedName(hook, what))!.data;
    const r = { max: max.data, min: get('min'), sums: get('sums') };
    return (row) => ({ ...r, row });
  }
  const n = batch.contexts.length;
  const r = reducer.reduce(
    data,
    n,
    seq,
    batch.contexts.map(() => 1),
    batch.contexts.map((c) => c.tokens.length),
    unitMajor,
  );
  const d = reducer.units;
  const { transposed } = r;
  return (row) => ({
    ...r,
    row,
    ...(transposed ? { windows: { data: transposed, offset: row * d * seq, posStride: 1, unitStride: seq } } : {}),
  });
}

function tensorFor(cache: Map<string, { shape: number[]; data: Float32Array }>, hook: string, batch: number, seq: number, d: number) {
  const t = cache.get(hook);
  if (!t || t.shape.join() !== [batch, seq, d].join())
    throw new Error(`runner returned ${hook} with shape [${t?.shape.join(', ') ?? 'missing'}]; expected [${batch}, ${seq}, ${d}]`);
  return t.data;
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
  const states = siteStates(input.model, options);
  const mins = states.map(() => ({ n: new Float64Array(d).fill(Infinity), b: new Float64Array(R).fill(Infinity) }));
  const maxs = states.map(() => ({ n: new Float64Array(d).fill(-Infinity), b: new Float64Array(R).fill(-Infinity) }));
  const proj = new Float32Array(options.contextLength * R);
  const batches = batchContexts(contexts, scanBatchSize(input.model.cfg, options, states), input.tokenizer.eosId);
  await forEachBatch(
    input.runner,
    batches,
    states.map((s) => s.hook),
    projectionsOf(states, R),
    (batch, cache) => {
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
    },
  );
  const ranges: NeuronRanges = {};
  states.forEach((s, si) => {
    ranges[streamKey(s.layer, s.site)] = {
      neurons: rangesFromCalibration(mins[si].n, maxs[si].n),
      baseline: rangesFromCalibration(mins[si].b, maxs[si].b),
    };
  });
  return ranges;
}

/** Streams one shard of documents (documents keep their corpus-wide index) into mergeable statistics. */
export async function scanNeuronShard(input: NeuronScanInput & { ranges: NeuronRanges }): Promise<NeuronShardResult> {
  const { model, runner, tokenizer, ranges } = input;
  const options = defaultScanOptions(model, input.options);
  const d = model.cfg.d_mlp;
  const R = options.randomDirections;
  const states = siteStates(model, options);
  const streams = states.map((s) => {
    const r = ranges[streamKey(s.layer, s.site)];
    if (!r || r.neurons.length !== d || r.baseline.length !== R)
      throw new Error(`scanNeuronShard: no calibrated ranges for layer ${s.layer} ${s.site}`);
    const common = {
      k: options.k,
      randomK: options.randomK,
      bins: options.bins,
      seed: options.seed,
      before: options.exampleBefore,
      after: options.exampleAfter,
    };
    return {
      neurons: new UnitStream({ ...common, ranges: r.neurons, sampleEvery: options.sampleEvery }),
      baseline: new UnitStream({ ...common, ranges: r.baseline }),
    };
  });
  let tokens = 0;
  let contexts = 0;
  let docsBefore = 0;
  const inGraph = reductionsInGraph(runner);
  const reducer = new PositionReducer(d);
  for (const group of contextGroups(tokenizer, input.docs, options.contextLength, CONTEXT_GROUP)) {
    contexts += group.contexts.length;
    const batches = batchContexts(group.contexts, scanBatchSize(input.model.cfg, options, states), tokenizer.eosId);
    await forEachBatch(
      runner,
      batches,
      states.map((s) => s.hook),
      projectionsOf(states, R),
      (batch, cache) => {
        const seq = batch.padded[0].length;
        // Scratch of the JS projections, only for runners without in-graph projections: one row block per context
        // (the batch's contexts are all listed before the first is observed).
        const projectedInGraph = states.length === 0 || cache.has(projectedName(states[0].hook));
        const proj = projectedInGraph ? new Float32Array(0) : new Float32Array(batch.contexts.length * seq * R);
        states.forEach((s, si) => {
          const data = tensorFor(cache, s.hook, batch.contexts.length, seq, d);
          // firstPos 1: BOS is the same token in every context; its activation says nothing about the text.
          const reduced = reductionsOf(cache, s.hook, data, batch, seq, reducer, streams[si].neurons.prefersUnitMajor);
          observing(s.hook, 'neuron', () =>
            batch.contexts.forEach((c: ScanContext, b) =>
              streams[si].neurons.observeReducedContext(
                { doc: c.id, tokens: c.tokens, data, offset: b * seq * d, posStride: d, unitStride: 1, firstPos: 1 },
                reduced(b),
              ),
            ),
          );
          observing(s.hook, 'random direction', () =>
            streams[si].baseline.observeContexts(
              batch.contexts.map((c: ScanContext, b) => {
                const rows = baselineRows(cache, s, R, data, b, seq, d, c.tokens.length, proj.subarray(b * seq * R));
                return { doc: c.id, tokens: c.tokens, data: rows.data, offset: rows.offset, posStride: R, unitStride: 1, firstPos: 1 };
              }),
            ),
          );
        });
        for (const c of batch.contexts) tokens += c.tokens.length - 1;
      },
      // Progress in documents (a group's batches share its documents evenly).
      (done) =>
        input.onProgress?.({
          step: 'neuron scan',
          done: Math.round(docsBefore + ((group.docsDone - docsBefore) * done) / batches.length),
          total: input.docs.length,
        }),
      inGraph ? { hooks: states.map((s) => s.hook), length: options.contextLength } : undefined,
    );
    docsBefore = group.docsDone;
  }
  return {
    version: NEURON_SCAN_VERSION,
    modelSlug: model.cfg.model_name,
    options,
    ranges,
    contexts,
    tokens,
    streams: states.map((s, si) => ({ layer: s.layer, site: s.site, neurons: streams[si].neurons, baseline: streams[si].baseline })),
  };
}

/** Runs a stream's observation; a non-finite activation becomes an error that says where, in the user's terms. */
function observing(hook: string, unitName: string, observe: () => void): void {
  try {
    observe();
  } catch (e) {
    if (!(e instanceof NonFiniteActivationError)) throw e;
    throw new Error(
      `${hook}, ${unitName} ${e.unit}: NaN or ±Infinity in document ${Math.floor(e.doc / MAX_CHUNKS_PER_DOC)} ` +
        `(chunk ${e.doc % MAX_CHUNKS_PER_DOC}): the model's weights or activations are not finite (a corrupt or mis-converted checkpoint?)`,
      { cause: e },
    );
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

/**
 * The requested batch, or the largest whose hooks fit the available memory (a big model on a small machine scans more
 * slowly instead of failing mid-scan); rows do not depend on it (per-context results are the same bits in any batch).
 */
function scanBatchSize(cfg: ModelConfig, options: NeuronScanOptions, states: { hook: HookName }[]): number {
  return fitBatchSize(
    cfg,
    options.batchSize,
    options.contextLength,
    states.map((s) => s.hook),
  );
}
