import type { ModelConfig, Tensor } from '../../models/types';
import type { ActivationCache, ForwardRunner, HookName } from '../../engine/types';
import {
  edgeReceiverCount,
  edgeReceiverIndex,
  edgeSenderCount,
  edgeSenderIndex,
  edgeSourceHooks,
  type EdgeReceiver,
  type EdgeSender,
} from '../../engine/edge-patching';
import type { CircuitModel, MetricKind, PromptPair } from '../types';
import { logProbsAt, metricOf, readoutHook } from '../metric';
import { edgeKey, type Receiver, type Sender } from './graph';

/**
 * Evaluates edge configurations exactly, in the graph: in a configuration, a removed edge s → R means R reads s's
 * CORRUPTED output while every other input of R is what the current (partly pruned) model computes. That is the
 * engine's edge patching (lib/engine/edge-patching.ts): each batch row carries its own edge mask and reads the
 * corrupted run of its prompt pair as its source, so one forward pass evaluates as many (configuration, prompt pair)
 * rows as fit in a batch. The plain-TypeScript check of the same definition is evaluate.reference.ts.
 */

export interface Configuration {
  /** Removed edges (edgeKey). Shared by many configurations: its mask offsets are computed once per Set. */
  removed: ReadonlySet<string>;
  /** Further removed edges of this configuration alone (ACDC's candidate edge). */
  also?: readonly string[];
}

export const isRemoved = (c: Configuration, key: string) => c.removed.has(key) || (c.also?.includes(key) ?? false);

/** Activation memory one edge-patched row may take (sender changes, receiver inputs, mask): sets the batch size. */
const BYTES_PER_BATCH = 512 * 2 ** 20;

function engineSender(s: Sender): EdgeSender {
  return s.kind === 'embed'
    ? { kind: 'embed' }
    : s.kind === 'head'
      ? { kind: 'head', layer: s.layer, head: s.head! }
      : { kind: 'mlp', layer: s.layer };
}

function engineReceiver(r: Receiver): EdgeReceiver {
  if (r.channel === 'logits') return { kind: 'logits' };
  if (r.channel === 'mlp_in') return { kind: 'mlp', layer: r.layer };
  return { kind: r.channel, layer: r.layer, head: r.head! };
}

/** Rows per forward: bounded by tokens and by the edge graph's per-row tensors. */
export function edgeRowsPerBatch(cfg: ModelConfig, seqLen: number, maxRows?: number): number {
  const S = edgeSenderCount(cfg);
  const R = edgeReceiverCount(cfg);
  const receiversPerLayer = cfg.n_heads + 2 * cfg.n_key_value_heads;
  const perRow = 4 * (seqLen * cfg.d_model * (S + 4 * receiversPerLayer) + R * S);
  const byBytes = Math.floor(BYTES_PER_BATCH / perRow);
  return Math.max(1, Math.min(maxRows ?? Infinity, Math.floor(16384 / seqLen), byBytes));
}

interface LengthGroup {
  /** The corrupted runs' sender values, one row per pair of this length. */
  sources: Map<HookName, Tensor>;
  pairs: number[];
}

export class ConfigurationEvaluator {
  forwardPasses = 0;
  /** Mask offset (receiver · senders + sender) of every edge key. */
  private readonly offsets = new Map<string, number>();
  private readonly sharedOffsets = new WeakMap<ReadonlySet<string>, Int32Array>();
  private readonly groups: LengthGroup[] = [];
  /** Per pair: its length group and its row in that group's sources. */
  private readonly place: Array<{ group: number; row: number }> = [];
  private cleanLogProbs: Float64Array[] = [];
  private readonly R: number;
  private readonly S: number;

  constructor(
    private readonly runner: ForwardRunner,
    private readonly model: CircuitModel,
    private readonly pairs: PromptPair[],
    receivers: Receiver[],
    private readonly metric: MetricKind,
    private readonly maxRows?: number,
  ) {
    const { cfg } = model;
    this.R = edgeReceiverCount(cfg);
    this.S = edgeSenderCount(cfg);
    for (const r of receivers) {
      const ri = edgeReceiverIndex(cfg, engineReceiver(r));
      for (const s of r.senders) this.offsets.set(edgeKey(s.id, r), ri * this.S + edgeSenderIndex(cfg, engineSender(s)));
    }
  }

  /** Runs every pair's corrupted prompt once (the sources of removed edges) and, for kl, its clean prompt. */
  async prepare(): Promise<void> {
    const { cfg } = this.model;
    const byLength = new Map<number, number[]>();
    this.pairs.forEach((p, i) => byLength.set(p.clean.length, [...(byLength.get(p.clean.length) ?? []), i]));
    const hooks = edgeSourceHooks(cfg);
    for (const idx of byLength.values()) {
      const readout = this.metric === 'kl' ? [readoutHook(cfg, 'kl')] : [];
      const cache = await this.runner.run(
        [...idx.map((i) => this.pairs[i].corrupted), ...(readout.length ? idx.map((i) => this.pairs[i].clean) : [])],
        [...hooks, ...readout],
      );
      this.forwardPasses++;
      const sources = new Map<HookName, Tensor>();
      for (const hook of hooks) {
        const t = cache.get(hook)!;
        const perRow = t.data.length / t.shape[0];
        sources.set(hook, { shape: [idx.length, ...t.shape.slice(1)], data: t.data.slice(0, idx.length * perRow) });
      }
      idx.forEach((p, row) => {
        this.place[p] = { group: this.groups.length, row };
        if (readout.length) this.cleanLogProbs[p] = logProbsAt(cache, idx.length + row, this.pairs[p].clean.length - 1);
      });
      this.groups.push({ sources, pairs: idx });
    }
  }

  /** How many configurations one forward holds (every pair of each length is a row). */
  configsPerForward(): number {
    const { cfg } = this.model;
    const byLength = new Map<number, number>();
    for (const p of this.pairs) byLength.set(p.clean.length, (byLength.get(p.clean.length) ?? 0) + 1);
    let n = Infinity;
    for (const [len, count] of byLength) n = Math.min(n, Math.floor(edgeRowsPerBatch(cfg, len, this.maxRows) / count));
    return Math.max(1, n);
  }

  /** Mean metric per configuration (higher = closer to clean; kl is reported as −KL). */
  async evaluate(configs: Configuration[]): Promise<number[]> {
    if (this.groups.length === 0) await this.prepare();
    const { cfg } = this.model;
    const RS = this.R * this.S;
    const sums = new Float64Array(configs.length);
    const offsets = configs.map((c) => this.configOffsets(c));
    for (const group of this.groups) {
      const rows = configs.flatMap((_, ci) => group.pairs.map((p) => ({ config: ci, pair: p })));
      const seqLen = this.pairs[group.pairs[0]].clean.length;
      const size = edgeRowsPerBatch(cfg, seqLen, this.maxRows);
      for (let start = 0; start < rows.length; start += size) {
        const batch = rows.slice(start, start + size);
        const mask = new Float32Array(batch.length * RS);
        batch.forEach((row, i) => {
          for (const list of offsets[row.config]) for (const o of list) mask[i * RS + o] = 1;
        });
        const cache: ActivationCache = await this.runner.run(
          batch.map((row) => this.pairs[row.pair].clean),
          [readoutHook(cfg, this.metric)],
          { edgePatches: { mask, sourceRow: batch.map((row) => this.place[row.pair].row), sources: group.sources } },
        );
        this.forwardPasses++;
        batch.forEach((row, i) => {
          sums[row.config] += metricOf(this.model, this.metric, cache, i, this.pairs[row.pair], this.cleanLogProbs[row.pair]);
        });
        this.runner.recycle?.(cache);
      }
    }
    return Array.from(sums, (s) => s / this.pairs.length);
  }

  /** A configuration's mask offsets: the shared removed set's (memoised per Set) and its own. */
  private configOffsets(c: Configuration): Int32Array[] {
    let shared = this.sharedOffsets.get(c.removed);
    if (!shared) {
      shared = Int32Array.from([...c.removed].map((k) => this.offsetOf(k)));
      this.sharedOffsets.set(c.removed, shared);
    }
    return [shared, Int32Array.from((c.also ?? []).map((k) => this.offsetOf(k)))];
  }

  private offsetOf(key: string): number {
    const o = this.offsets.get(key);
    if (o === undefined) throw new Error(`edge evaluator: ${key} is not an edge of this model`);
    return o;
  }
}
