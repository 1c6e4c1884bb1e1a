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
import { fillExample, type BatchView, type ExampleSite } from './build-example';
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

/** This batch's candidates: where each was found, and the (list, slot) pairs they were offered to. */
interface Pending {
  sites: Map<HeadExample, ExampleSite>;
  slots: Map<BoundedBest<HeadExample>, Set<number>>;
}

/** A batch's outputs, and how to give its arrays back to the runner once nothing reads them any more. */
interface ForwardedBatch {
  view: BatchView;
  release: () => void;
}

/** Runs a batch of contexts (right-padded: with causal attention, padding never changes earlier positions). */
async function forwardBatch(runner: ForwardRunner, cfg: ScanModelShape, batch: ScanContext[], padId: number): Promise<ForwardedBatch> {
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
  // The next batch's outputs are written into these arrays (no allocation per batch): only once examples are built.
  const release = () => {
    runner.recycle?.(cache);
    if (results) runner.recycle?.(results);
  };
  return { view: { seq, nHeads: cfg.n_heads, patterns, norms, maxAttn }, release };
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
  const { n_layers: nLayers, n_heads: nHeads } = cfg;
  const units = nLayers * nHeads;
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
  // Candidates offered during a batch, built (fillExample) at its end if still kept; `probe` asks without allocating.
  const pending: Pending = { sites: new Map(), slots: new Map() };
  const probe: HeadExample = { value: 0, doc: 0, pos: 0, key: 0, windowStart: 0, tokens: [], acts: [], attn: [] };
  const offer = (list: BoundedBest<HeadExample>, slot: number, site: ExampleSite, key?: number) => {
    // The same fields in the same order as a built example (the window is filled in place).
    const ex: HeadExample = { value: probe.value, doc: probe.doc, pos: probe.pos, windowStart: 0, tokens: [], acts: [], attn: [] };
    if (key !== undefined) ex.key = key;
    list.offer(slot, ex);
    pending.sites.set(ex, site);
    let touched = pending.slots.get(list);
    if (!touched) pending.slots.set(list, (touched = new Set()));
    touched.add(slot);
  };

  const contexts = shardContexts(tokenizer, args);
  let tokens = 0;
  for (let i = 0; i < contexts.length; i += opts.batchSize) {
    const batch = contexts.slice(i, i + opts.batchSize);
    const { view, release } = await forwardBatch(runner, cfg, batch, tokenizer.eosId);
    const { seq } = view;
    for (const [b, ctx] of batch.entries()) {
      const len = ctx.tokenIds.length;
      const doc = ctx.id;
      tokens += len - 1;
      for (let layer = 0; layer < nLayers; layer++) {
        const norms = view.norms[layer];
        const maxima = view.maxAttn[layer];
        for (let head = 0; head < nHeads; head++) {
          const u = layer * nHeads + head;
          const normAt = b * seq * nHeads + head; // norm of q: norms[normAt + q·nHeads]
          const attnAt = (b * nHeads + head) * seq; // max attention of q: maxima[attnAt + q]
          const seed = opts.seed + u;
          let bestNorm = 1;
          let bestAttn = 1;
          let site: ExampleSite | undefined;
          for (let q = 1; q < len; q++) {
            const n = norms[normAt + q * nHeads];
            const a = maxima[attnAt + q];
            const slot = normHistogram.observe(u, n);
            attentionHistogram.observe(u, a);
            normMoments.observe(u, n);
            if (n > norms[normAt + bestNorm * nHeads]) bestNorm = q;
            if (a > maxima[attnAt + bestAttn]) bestAttn = q;
            probe.value = n;
            probe.doc = doc;
            probe.pos = q;
            probe.key = tokenKey(seed, doc, q);
            if (normSamples.wouldAccept(u * slotsPerUnit + slot, probe)) {
              site ??= { b, ctx, layer, head, ranking: 'norm' };
              offer(normSamples, u * slotsPerUnit + slot, site, probe.key);
            }
          }
          probe.key = undefined;
          probe.doc = doc;
          probe.value = norms[normAt + bestNorm * nHeads];
          probe.pos = bestNorm;
          if (topNorm.wouldAccept(u, probe)) {
            site ??= { b, ctx, layer, head, ranking: 'norm' };
            offer(topNorm, u, site);
          }
          probe.value = maxima[attnAt + bestAttn];
          probe.pos = bestAttn;
          if (topAttention.wouldAccept(u, probe)) {
            offer(topAttention, u, { b, ctx, layer, head, ranking: 'attn' });
          }
        }
      }
      normMoments.flushBlock();
    }
    buildKept(view, pending, opts);
    release();
    args.onProgress?.({ contexts: Math.min(i + opts.batchSize, contexts.length), total: contexts.length, tokens });
  }
  return {
    nLayers,
    nHeads,
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

/** Builds the window of every candidate of this batch that its list still keeps; the others are dropped unbuilt. */
function buildKept(view: BatchView, pending: Pending, opts: HeadExampleOptions): void {
  for (const [list, slots] of pending.slots) {
    for (const slot of slots)
      for (const ex of list.sorted(slot)) if (pending.sites.has(ex)) fillExample(view, pending.sites.get(ex)!, ex, opts);
  }
  pending.sites.clear();
  pending.slots.clear();
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
    const { view, release } = await forwardBatch(runner, cfg, batch, tokenizer.eosId);
    batch.forEach((ctx, b) => {
      for (let layer = 0; layer < cfg.n_layers; layer++)
        for (let head = 0; head < cfg.n_heads; head++) {
          const u = layer * cfg.n_heads + head;
          for (let q = 1; q < ctx.tokenIds.length; q++) {
            const n = view.norms[layer][(b * view.seq + q) * cfg.n_heads + head];
            min[u] = Math.min(min[u], n);
            max[u] = Math.max(max[u], n);
          }
        }
    });
    release();
  }
  return rangesFromCalibration(min, max, 0.5).map((r) => ({
    lo: Math.max(0, r.lo),
    hi: r.hi > Math.max(0, r.lo) ? r.hi : Math.max(0, r.lo) + 1e-6,
  }));
}
