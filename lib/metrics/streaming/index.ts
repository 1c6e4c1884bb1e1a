/**
 * Streaming statistics over a corpus for many "units" at once (MLP neurons, attention heads, random
 * directions), with memory bounded by units × k and exact merges across shards.
 *
 * Usage:
 *   const ranges = rangesFromCalibration(calib.min, calib.max); // decide histogram edges up front
 *   const shard = new UnitStream({ ranges, k: 20, seed });        // one per shard (same options everywhere)
 *   for (const ctx of contexts) shard.observeContext({ doc: globalContextIndex, tokens, data, offset, posStride, unitStride });
 *   const json = shard.toJSON();                                  // serialisable (job results)
 *   const all = UnitStream.merge(UnitStream.fromJSON(a), UnitStream.fromJSON(b)); // exact, any order
 *   all.summary(u) → stats, 50-bin histogram, quantiles, quantile/random samples, top and diverse examples
 *
 * Exactness: every part merges to the same result for every split of the stream, as long as
 *  - contexts are numbered globally (`doc`) and never split between shards (they are the moment blocks),
 *  - every shard uses the same options (histogram ranges, seed, k, windows).
 * Parts, each usable alone: ExactSums (order-independent float sums), UnitMoments, UnitHistograms,
 * BoundedBest (top-k by value or a keyed random sample), diverseExamples, tokenKey.
 */
export { ExactSums } from './exact-sum';
export { UnitMoments, type MomentStats, type UnitMomentsJSON } from './moments';
export { UnitHistograms, rangesFromCalibration, type HistogramRange, type UnitHistogramsJSON } from './histogram';
export { BoundedBest, type BoundedBestJSON, type Order } from './bounded-best';
export { ExampleTable, type ExampleTableJSON, type ExampleOrder } from './example-table';
export { byKeyAsc, byValueDesc, tokenKey, windowAround, type UnitExample } from './example';
export { diverseExamples, nearDuplicate, type DiverseOptions } from './diverse';
export {
  UnitStream,
  NonFiniteActivationError,
  DEFAULT_QUANTILES,
  type ContextActivations,
  type ContextReductions,
  type UnitStreamJSON,
  type UnitStreamPlainJSON,
  type UnitStreamOptions,
  type UnitSummary,
} from './unit-stream';
export { PositionReducer, type HostReduced } from './position-reducer';
