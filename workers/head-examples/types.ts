/**
 * Max-activating examples of attention heads (open problem 6.28): the serialisable shapes that flow
 * scan (per corpus shard) → merge → finalize → publish.
 */
import type { BoundedBestJSON } from '@/lib/metrics/streaming/bounded-best';
import type { UnitExample } from '@/lib/metrics/streaming/example';
import type { HistogramRange, UnitHistogramsJSON } from '@/lib/metrics/streaming/histogram';
import type { MomentStats, UnitMomentsJSON } from '@/lib/metrics/streaming/moments';

/**
 * How examples are ranked. `result_norm`: ‖hook_result‖ of the head at the destination token (its output
 * written to the residual stream); `max_attention`: the largest attention weight from the destination to a
 * non-BOS source (the BOS "attention sink" is excluded, so a resting head does not rank).
 */
export type HeadExampleKind = 'top_norm' | 'top_attention' | 'quantile';

export interface HeadExampleOptions {
  /** Tokens per context, BOS included; longer documents are split into several contexts, each with BOS. */
  contextLength: number;
  /** Contexts per forward call. */
  batchSize: number;
  /** Examples kept per head and kind. */
  k: number;
  /** Window around the destination token: tokens before and after it. */
  windowBefore: number;
  windowAfter: number;
  /** The window reaches further back, up to this many tokens, to include the destination's top non-BOS source. */
  maxWindowBefore: number;
  /** Sources kept per window row (sparse attention). */
  sourcesPerRow: number;
  /** Histogram bins (the histogram has an under- and an overflow bin besides). */
  bins: number;
  /** Seed of the quantile samples' keyed sampling. */
  seed: number;
}

export const DEFAULT_HEAD_EXAMPLE_OPTIONS: HeadExampleOptions = {
  contextLength: 128,
  batchSize: 8,
  k: 12,
  windowBefore: 20,
  windowAfter: 6,
  maxWindowBefore: 64,
  sourcesPerRow: 4,
  bins: 40,
  seed: 0,
};

/** The defaults for one model: contexts never longer than the model can read. */
export function headExampleOptionsFor(cfg: { n_ctx: number }): HeadExampleOptions {
  return { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: Math.min(DEFAULT_HEAD_EXAMPLE_OPTIONS.contextLength, cfg.n_ctx) };
}

/** Quantiles of the head's output norm at which one sample example is shown. */
export const SAMPLE_QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * One example. `doc` = document index × CONTEXTS_PER_DOCUMENT + chunk (a global context id), `pos` the destination's
 * position in its context (0 = BOS), `acts` the ranking activation on every window token.
 */
export interface HeadExample extends UnitExample {
  /**
   * Sparse attention of the head from every window row (destination windowStart + i): flat pairs
   * [source position in the context, weight, …], best first, at most `sourcesPerRow` pairs. Sources before the
   * window are dropped, except BOS (position 0), which is kept when among the best.
   */
  attn: number[][];
}

/** Contexts of one document are numbered doc × CONTEXTS_PER_DOCUMENT + chunk; later chunks are not scanned. */
export const CONTEXTS_PER_DOCUMENT = 1024;

export interface HeadShardInput {
  /** Corpus documents of this shard, with their index in the corpus. */
  documents: { index: number; text: string }[];
  options: HeadExampleOptions;
  /** Histogram ranges of ‖hook_result‖ per head (layer-major), shared by every shard: see calibrateHeadExamples. */
  normRanges: HistogramRange[];
}

/** A shard's partial result: plain JSON, mergeable exactly (mergeHeadShards) whatever the split. */
export interface HeadShardResult {
  nLayers: number;
  nHeads: number;
  options: HeadExampleOptions;
  contexts: number;
  tokens: number;
  topNorm: BoundedBestJSON<HeadExample>;
  topAttention: BoundedBestJSON<HeadExample>;
  /** One keyed sample per (head, norm histogram slot); quantile samples are drawn from them after merging. */
  normSamples: BoundedBestJSON<HeadExample>;
  normHistogram: UnitHistogramsJSON;
  /** Max non-BOS attention per destination token, range [0, 1]. */
  attentionHistogram: UnitHistogramsJSON;
  normMoments: UnitMomentsJSON;
}

/** Everything pages show about one head's activation over the corpus. */
export interface HeadExampleSet {
  layer: number;
  head: number;
  topNorm: HeadExample[];
  topAttention: HeadExample[];
  quantileSamples: { quantile: number; value: number; example: HeadExample | null }[];
  normStats: MomentStats;
  normQuantiles: { quantile: number; value: number }[];
  /** Bin edges (bins + 1) and counts [underflow, bins…, overflow]. */
  normHistogram: { edges: number[]; counts: number[] };
  attentionHistogram: { edges: number[]; counts: number[] };
}
