/**
 * Scan one corpus shard for every head's max-activating examples. Pure: a runner, a tokenizer and documents
 * in, a serialisable HeadShardResult out, so a queue worker, a test or `npm start` can run it alike.
 *
 * Per context and head, destination tokens q ≥ 1 (BOS excluded: its attention is trivially all on itself):
 *  - norm[q] = ‖blocks.L.attn.hook_result[q, h]‖ (the head's write to the residual stream), computed in the graph
 *    (RunOptions.norms): the host never receives hook_result, d_model values per head and token;
 *  - maxAttn[q] = max over sources 1 ≤ k ≤ q of hook_pattern[h, q, k] (attention to a non-BOS source).
 * Top-k keeps the best destination of each context (one example per context, so the list is not ten
 * neighbouring tokens of one story); histograms and moments take every destination token; keyed samples
 * (one per norm-histogram slot) give the quantile examples after merging.
 */
import type { ForwardRunner } from '@/lib/engine/types';
import { normName, sourceMaxName } from '@/lib/engine/reductions';
import type { Tokenizer } from '@/lib/tokenizers/types';
import { BoundedBest } from '@/lib/metrics/streaming/bounded-best';
import { byKeyAsc, byValueDesc, tokenKey } from '@/lib/metrics/streaming/example';
import { UnitHistograms, rangesFromCalibration, type HistogramRange } from '@/lib/metrics/streaming/histogram';
import { UnitMoments } from '@/lib/metrics/streaming/moments';
import { documentContexts, type ScanContext } from './contexts';
import type { HeadExample, HeadExampleOptions, HeadShardInput, HeadShardResult } from './types';

export interface ScanModelShape {
  n_layers: number;
  n_heads: number;
  n_ctx: number;
}

export interface ScanHeadShardArgs extends HeadShardInput {
  cfg: ScanModelShape;
  runner: ForwardRunner;
  tokenizer: Tokenizer;
  onProgress?: (p: { contexts: number; total: number; tokens: number }) => void;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const roundNorm = (x: number) => Math.fround(x);

/** Per context and head: norm and max non-BOS attention of every position (NaN at position 0). */
interface HeadActs {
  norm: Float64Array;
  maxAttn: Float64Array;
  /** Position of the max non-BOS source of destination q (−1 at 0), read from the pattern when an example needs it. */
  argmaxSource: (q: number) => number;
}

interface BatchView {
  seq: number;
  patterns: Float32Array[]; // per layer [batch, head, seq, seq]
  norms: Float32Array[]; // per layer [batch, seq, head]: ‖hook_result‖
  maxAttn: Float32Array[]; // per layer [batch, head, seq]: max over sources k ≥ 1
}

function headActs(view: BatchView, b: number, layer: number, head: number, nHeads: number, len: number): HeadActs {
  const { seq } = view;
  const pattern = view.patterns[layer];
  const norms = view.norms[layer];
  const maxima = view.maxAttn[layer];
  const norm = new Float64Array(len);
  const maxAttn = new Float64Array(len);
  const at = (b * nHeads + head) * seq;
  for (let q = 0; q < len; q++) {
    norm[q] = norms[(b * seq + q) * nHeads + head];
    maxAttn[q] = q === 0 ? NaN : maxima[at + q];
  }
  const argmaxSource = (q: number) => {
    const row = (at + q) * seq;
    let best = -1;
    let arg = -1;
    for (let k = 1; k <= q; k++) {
      if (pattern[row + k] > best) {
        best = pattern[row + k];
        arg = k;
      }
    }
    return arg;
  };
  return { norm, maxAttn, argmaxSource };
}

/**
 * How far back an example's window must reach to show the destination's main (non-BOS) source and the two
 * tokens before it: for an induction head, the earlier occurrence of the destination token and its predecessor.
 */
function reachBack(acts: HeadActs, q: number): number {
  const src = acts.argmaxSource(q);
  return src >= 1 ? q - src + 2 : 0;
}

function buildExample(
  view: BatchView,
  b: number,
  ctx: ScanContext,
  acts: Float64Array,
  pos: number,
  value: number,
  head: number,
  layer: number,
  nHeads: number,
  reach: number,
  opts: HeadExampleOptions,
): HeadExample {
  const len = ctx.tokenIds.length;
  const before = Math.min(opts.maxWindowBefore, Math.max(opts.windowBefore, reach));
  const start = Math.max(0, pos - before);
  const end = Math.min(len, pos + opts.windowAfter + 1);
  const { seq } = view;
  const pattern = view.patterns[layer];
  const attn: number[][] = [];
  for (let q = start; q < end; q++) {
    const rowBase = ((b * nHeads + head) * seq + q) * seq;
    const cand: { k: number; a: number }[] = [];
    if (start > 0) cand.push({ k: 0, a: pattern[rowBase] });
    for (let k = start; k <= q; k++) cand.push({ k, a: pattern[rowBase + k] });
    cand.sort((x, y) => y.a - x.a || x.k - y.k);
    attn.push(cand.slice(0, opts.sourcesPerRow).flatMap(({ k, a }) => [k, round(a)]));
  }
  return {
    value,
    doc: ctx.id,
    pos,
    windowStart: start,
    tokens: ctx.tokenIds.slice(start, end),
    acts: Array.from(acts.subarray(start, end), (x) => (Number.isNaN(x) ? 0 : roundNorm(x))),
    attn,
  };
}

/** Runs a batch of contexts (right-padded: with causal attention, padding never changes earlier positions). */
async function forwardBatch(runner: ForwardRunner, cfg: ScanModelShape, batch: ScanContext[], padId: number): Promise<BatchView> {
  const seq = Math.max(...batch.map((c) => c.tokenIds.length));
  const tokens = batch.map((c) => [...c.tokenIds, ...new Array(seq - c.tokenIds.length).fill(padId)]);
  const layers = Array.from({ length: cfg.n_layers }, (_, l) => l);
  const patternHooks = layers.map((l) => `blocks.${l}.attn.hook_pattern`);
  const resultHooks = layers.map((l) => `blocks.${l}.attn.hook_result`);
  const cache = await runner.run(tokens, patternHooks, { norms: resultHooks, sourceMaxima: patternHooks });
  // Runners without in-graph norms (ReferenceRunner, test fakes): the results themselves, normed here.
  const results = layers.some((l) => !cache.has(normName(resultHooks[l]))) ? await runner.run(tokens, resultHooks) : undefined;
  const patterns: Float32Array[] = [];
  const norms: Float32Array[] = [];
  const maxAttn: Float32Array[] = [];
  for (const l of layers) {
    const p = cache.get(patternHooks[l]);
    const n = cache.get(normName(resultHooks[l])) ?? (results?.get(resultHooks[l]) && normsOf(results.get(resultHooks[l])!));
    if (!p || !n) throw new Error(`runner did not return the attention hooks of layer ${l}`);
    patterns.push(p.data);
    norms.push(n.data);
    maxAttn.push(cache.get(sourceMaxName(patternHooks[l]))?.data ?? sourceMaximaOf(p));
  }
  return { seq, patterns, norms, maxAttn };
}

/** Max over sources k ≥ 1 of a pattern [batch, head, q, k] (what the graph's sourceMaxima return). */
function sourceMaximaOf(t: { shape: number[]; data: Float32Array }): Float32Array {
  const seq = t.shape[3];
  const out = new Float32Array(t.data.length / seq);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = i * seq + 1; k < (i + 1) * seq; k++) if (t.data[k] > best) best = t.data[k];
    out[i] = best;
  }
  return out;
}

/** ‖x‖ over the last axis of [batch, seq, head, d_model], as float32 (what the graph's ReduceL2 returns). */
function normsOf(t: { shape: number[]; data: Float32Array }): { data: Float32Array } {
  const d = t.shape[t.shape.length - 1];
  const out = new Float32Array(t.data.length / d);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += t.data[k] * t.data[k];
    out[i] = Math.sqrt(s);
  }
  return { data: out };
}

/** The shard's contexts, in a fixed order. */
function shardContexts(tokenizer: Tokenizer, input: HeadShardInput): ScanContext[] {
  return input.documents.flatMap((d) => documentContexts(tokenizer, d, input.options.contextLength)).filter((c) => c.tokenIds.length >= 2);
}

export async function scanHeadShard(args: ScanHeadShardArgs): Promise<HeadShardResult> {
  const { cfg, runner, tokenizer, options: opts } = args;
  const units = cfg.n_layers * cfg.n_heads;
  if (args.normRanges.length !== units)
    throw new Error(`scanHeadShard: normRanges has ${args.normRanges.length} heads; the model has ${units}`);
  const topNorm = new BoundedBest<HeadExample>(units, opts.k, byValueDesc);
  const topAttention = new BoundedBest<HeadExample>(units, opts.k, byValueDesc);
  const slotsPerUnit = opts.bins + 2;
  const normSamples = new BoundedBest<HeadExample>(units * slotsPerUnit, 1, byKeyAsc);
  const normHistogram = new UnitHistograms(args.normRanges, opts.bins);
  const attentionHistogram = new UnitHistograms(
    Array.from({ length: units }, () => ({ lo: 0, hi: 1 })),
    opts.bins,
  );
  const normMoments = new UnitMoments(units);

  const contexts = shardContexts(tokenizer, args);
  let tokens = 0;
  for (let i = 0; i < contexts.length; i += opts.batchSize) {
    const batch = contexts.slice(i, i + opts.batchSize);
    const view = await forwardBatch(runner, cfg, batch, tokenizer.eosId);
    for (const [b, ctx] of batch.entries()) {
      const len = ctx.tokenIds.length;
      tokens += len - 1;
      for (let layer = 0; layer < cfg.n_layers; layer++) {
        for (let head = 0; head < cfg.n_heads; head++) {
          const u = layer * cfg.n_heads + head;
          const acts = headActs(view, b, layer, head, cfg.n_heads, len);
          let bestNorm = 1;
          let bestAttn = 1;
          for (let q = 1; q < len; q++) {
            const n = acts.norm[q];
            const slot = normHistogram.observe(u, n);
            attentionHistogram.observe(u, acts.maxAttn[q]);
            normMoments.observe(u, n);
            if (n > acts.norm[bestNorm]) bestNorm = q;
            if (acts.maxAttn[q] > acts.maxAttn[bestAttn]) bestAttn = q;
            const key = tokenKey(opts.seed + u, ctx.id, q);
            const probe = { value: n, doc: ctx.id, pos: q, key } as HeadExample;
            if (normSamples.wouldAccept(u * slotsPerUnit + slot, probe)) {
              const ex = buildExample(view, b, ctx, acts.norm, q, n, head, layer, cfg.n_heads, reachBack(acts, q), opts);
              normSamples.offer(u * slotsPerUnit + slot, { ...ex, key });
            }
          }
          const n = acts.norm[bestNorm];
          if (topNorm.wouldAccept(u, { value: n, doc: ctx.id, pos: bestNorm } as HeadExample)) {
            topNorm.offer(u, buildExample(view, b, ctx, acts.norm, bestNorm, n, head, layer, cfg.n_heads, reachBack(acts, bestNorm), opts));
          }
          const a = acts.maxAttn[bestAttn];
          if (topAttention.wouldAccept(u, { value: a, doc: ctx.id, pos: bestAttn } as HeadExample)) {
            topAttention.offer(
              u,
              buildExample(view, b, ctx, acts.maxAttn, bestAttn, a, head, layer, cfg.n_heads, reachBack(acts, bestAttn), opts),
            );
          }
        }
      }
      normMoments.flushBlock();
    }
    args.onProgress?.({ contexts: Math.min(i + opts.batchSize, contexts.length), total: contexts.length, tokens });
  }
  return {
    nLayers: cfg.n_layers,
    nHeads: cfg.n_heads,
    options: opts,
    contexts: contexts.length,
    tokens,
    topNorm: topNorm.toJSON(),
    topAttention: topAttention.toJSON(),
    normSamples: normSamples.toJSON(),
    normHistogram: normHistogram.toJSON(),
    attentionHistogram: attentionHistogram.toJSON(),
    normMoments: normMoments.toJSON(),
  };
}

/**
 * Histogram ranges of every head's ‖hook_result‖ from the first few documents (run once per run, before
 * the shards, so that every shard bins the same way). Norms are ≥ 0, so ranges start at 0.
 */
export async function calibrateHeadExamples(args: {
  cfg: ScanModelShape;
  runner: ForwardRunner;
  tokenizer: Tokenizer;
  documents: { index: number; text: string }[];
  options: HeadExampleOptions;
  maxContexts?: number;
}): Promise<HistogramRange[]> {
  const { cfg, runner, tokenizer, options } = args;
  const units = cfg.n_layers * cfg.n_heads;
  const contexts = shardContexts(tokenizer, { documents: args.documents, options, normRanges: [] }).slice(0, args.maxContexts ?? 16);
  const min = new Float64Array(units).fill(Infinity);
  const max = new Float64Array(units).fill(-Infinity);
  for (let i = 0; i < contexts.length; i += options.batchSize) {
    const batch = contexts.slice(i, i + options.batchSize);
    const view = await forwardBatch(runner, cfg, batch, tokenizer.eosId);
    batch.forEach((ctx, b) => {
      for (let layer = 0; layer < cfg.n_layers; layer++)
        for (let head = 0; head < cfg.n_heads; head++) {
          const u = layer * cfg.n_heads + head;
          const { norm } = headActs(view, b, layer, head, cfg.n_heads, ctx.tokenIds.length);
          for (let q = 1; q < norm.length; q++) {
            min[u] = Math.min(min[u], norm[q]);
            max[u] = Math.max(max[u], norm[q]);
          }
        }
    });
  }
  return rangesFromCalibration(min, max, 0.5).map((r) => ({
    lo: Math.max(0, r.lo),
    hi: r.hi > Math.max(0, r.lo) ? r.hi : Math.max(0, r.lo) + 1e-6,
  }));
}
