/**
 * What the neuron scan does with one forward batch's activations: every site's neurons and random directions go
 * into their UnitStreams. Shared by the scan's two statistics lanes (statistics-lane.ts): on the scan's own thread,
 * or on a statistics thread while the next batch's forward runs. Needs no model, only its d_mlp, so that a thread
 * can rebuild the same sites and random directions from the scan options.
 */
import { projectedName } from '@/lib/engine/projections';
import { NonFiniteActivationError, UnitStream, type HistogramRange } from '@/lib/metrics/streaming';
import { siteHook, type NeuronSite } from '@/lib/metrics/neurons/sites';
import { MAX_CHUNKS_PER_DOC } from './contexts';
import { directionSeed, project, randomDirections, transposeDirections } from './random-directions';

/** The scan options these functions read (a subset of NeuronScanOptions). */
export interface SiteOptions {
  layers: number[];
  sites: NeuronSite[];
  randomDirections: number;
  seed: number;
  k: number;
  randomK: number;
  bins: number;
  exampleBefore: number;
  exampleAfter: number;
}

export interface SiteState {
  layer: number;
  site: NeuronSite;
  hook: string;
  /** Random directions [d_mlp, randomDirections]: projected in the graph (lib/engine/projections.ts)... */
  matrix: Float32Array;
  /** ...or, by runners without projections, in JavaScript with these, transposed: [randomDirections, d_mlp]. */
  dirs: Float32Array;
}

export interface SiteStreams {
  neurons: UnitStream;
  baseline: UnitStream;
}

/** Histogram ranges of one site: its neurons' and its baseline directions'. */
export type SiteRanges = { neurons: HistogramRange[]; baseline: HistogramRange[] };

/** A forward batch's activations by hook name, as ForwardRunner.run returns them. */
export type BatchCache = Map<string, { shape: number[]; data: Float32Array }>;

/** The contexts of a batch (row b of every tensor), with their global ids. */
export interface BatchContext {
  id: number;
  tokens: number[];
}

export const streamKey = (layer: number, site: NeuronSite) => `${layer}.${site}`;

export function siteStates(dMlp: number, options: SiteOptions): SiteState[] {
  return options.layers.flatMap((layer) =>
    options.sites.map((site, i) => {
      const matrix = randomDirections(dMlp, options.randomDirections, directionSeed(options.seed, layer, i));
      return { layer, site, hook: siteHook(layer, site), matrix, dirs: transposeDirections(matrix, dMlp, options.randomDirections) };
    }),
  );
}

/** Empty streams for every site, with its calibrated ranges. */
export function siteStreams(states: SiteState[], ranges: Record<string, SiteRanges>, dMlp: number, options: SiteOptions): SiteStreams[] {
  return states.map((s) => {
    const r = ranges[streamKey(s.layer, s.site)];
    if (!r || r.neurons.length !== dMlp || r.baseline.length !== options.randomDirections) throw new Error(`scanNeuronShard: no calibrated ranges for layer ${s.layer} ${s.site}`);
    const common = { k: options.k, randomK: options.randomK, bins: options.bins, seed: options.seed, before: options.exampleBefore, after: options.exampleAfter };
    return { neurons: new UnitStream({ ...common, ranges: r.neurons }), baseline: new UnitStream({ ...common, ranges: r.baseline }) };
  });
}

export function tensorFor(cache: BatchCache, hook: string, batch: number, seq: number, d: number): Float32Array {
  const t = cache.get(hook);
  if (!t || t.shape.join() !== [batch, seq, d].join()) throw new Error(`runner returned ${hook} with shape [${t?.shape.join(', ') ?? 'missing'}]; expected [${batch}, ${seq}, ${d}]`);
  return t.data;
}

/**
 * Context b's projections onto the random directions, as { data, offset }: the graph's output when the runner
 * computed it (OnnxRunner), else computed here into `scratch`.
 */
export function baselineRows(cache: BatchCache, s: SiteState, R: number, act: Float32Array, b: number, seq: number, d: number, positions: number, scratch: Float32Array) {
  const t = cache.get(projectedName(s.hook));
  if (t) {
    if (t.shape.join() !== [cache.get(s.hook)!.shape[0], seq, R].join()) throw new Error(`runner returned ${projectedName(s.hook)} with shape [${t.shape.join(', ')}]`);
    return { data: t.data, offset: b * seq * R };
  }
  project(act, b * seq * d, positions, d, s.dirs, R, scratch);
  return { data: scratch, offset: 0 };
}

/** Observes one forward batch (contexts padded to `seq` positions) into every site's streams. */
export function observeBatch(states: SiteState[], streams: SiteStreams[], contexts: BatchContext[], seq: number, cache: BatchCache, d: number, R: number): void {
  // Scratch of the JS projections (runners without in-graph projections): one row block per context.
  const proj = cache.has(projectedName(states[0]?.hook ?? '')) ? new Float32Array(0) : new Float32Array(contexts.length * seq * R);
  states.forEach((s, si) => {
    const data = tensorFor(cache, s.hook, contexts.length, seq, d);
    // firstPos 1: BOS is the same token in every context; its activation says nothing about the text.
    observing(s.hook, 'neuron', () =>
      streams[si].neurons.observeContexts(contexts.map((c, b) => ({ doc: c.id, tokens: c.tokens, data, offset: b * seq * d, posStride: d, unitStride: 1, firstPos: 1 }))),
    );
    observing(s.hook, 'random direction', () =>
      streams[si].baseline.observeContexts(
        contexts.map((c, b) => {
          const rows = baselineRows(cache, s, R, data, b, seq, d, c.tokens.length, proj.subarray(b * seq * R));
          return { doc: c.id, tokens: c.tokens, data: rows.data, offset: rows.offset, posStride: R, unitStride: 1, firstPos: 1 };
        }),
      ),
    );
  });
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
    );
  }
}
