import type { ForwardRunner } from '../../engine/types';
import type { Circuit, CircuitEdge, CircuitModel, CircuitNode, MetricKind, Task } from '../types';
import { CountingRunner } from '../metric';
import { ConfigurationEvaluator, logSoftmax, valueHooks } from './evaluate';
import { edgeKey, headId, receiversInReverseOrder, senders, type Receiver } from './graph';
import { projectRows, normalizeRows } from '../receiver-inputs';

/**
 * Automatic circuit discovery (open problem 6.47), ACDC's edge pruning (Conmy et al. 2023): receivers from the
 * logits back to layer 0; for each, every incoming edge is corrupted (the receiver reads the sender's corrupted
 * output) and removed when the metric moves by less than τ × |clean − corrupted|. Batched: all incoming edges of a
 * receiver are tested at once, one batch row per (edge, prompt pair), each against the current circuit; the edges
 * below τ are then removed together if that moves the metric by less than τ, else one at a time, smallest first, as
 * ACDC does (so two edges that can stand in for each other are not both removed). Finally nodes that no longer reach
 * the logits, or receive nothing, are dropped with their edges (exact: such edges carry the corrupted value anyway).
 */
export const DISCOVERY_VERSION = 1;
export const DISCOVERY_CITATION = {
  text: 'Conmy et al. 2023, Towards Automated Circuit Discovery for Mechanistic Interpretability (ACDC)',
  url: 'https://arxiv.org/abs/2304.14997',
};

export async function discoverCircuit(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: {
    threshold: number;
    metric?: MetricKind;
    maxRows?: number;
    /** Called after each receiver; returning true stops there (progress, and benchmarks that sample the first receivers). */
    onReceiver?: (done: number, total: number, forwardPasses: number) => boolean | void;
  },
): Promise<Circuit> {
  const { cfg } = model;
  if (!(opts.threshold >= 0)) throw new Error(`discoverCircuit: threshold must be ≥ 0, got ${opts.threshold}`);
  const metric = opts.metric ?? task.metric;
  const counted = new CountingRunner(runner);
  const pairs = task.pairs;
  const receivers = receiversInReverseOrder(cfg);
  // Clean and corrupted values of every pair (one batch per length).
  const clean: Array<{ cache: Map<string, { shape: number[]; data: Float32Array }>; row: number }> = [];
  const corrupted: typeof clean = [];
  const byLength = new Map<number, number[]>();
  pairs.forEach((p, i) => byLength.set(p.clean.length, [...(byLength.get(p.clean.length) ?? []), i]));
  for (const idx of byLength.values()) {
    const cache = await counted.run([...idx.map((i) => pairs[i].clean), ...idx.map((i) => pairs[i].corrupted)], valueHooks(model));
    idx.forEach((i, row) => {
      clean[i] = { cache, row };
      corrupted[i] = { cache, row: idx.length + row };
    });
  }
  const cleanLogProbs = pairs.map((_, i) => finalLogProbs(model, clean[i]));
  const evaluator = new ConfigurationEvaluator(counted, model, pairs, receivers, metric, clean, corrupted, cleanLogProbs, opts.maxRows);
  const allRemoved = new Set(receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r))));
  const [cleanMetric, corruptedMetric] = await evaluator.evaluate([{ removed: new Set() }, { removed: allRemoved }]);
  const gap = Math.abs(cleanMetric - corruptedMetric);
  if (gap === 0) throw new Error(`discoverCircuit: clean and corrupted prompts score the same on ${task.name}: nothing to explain`);

  const removed = new Set<string>();
  const effects = new Map<string, number>();
  let current = cleanMetric;
  let done = 0;
  for (const r of receivers) {
    if (done > 0 && opts.onReceiver?.(done, receivers.length, counted.passes)) break;
    done++;
    const keys = r.senders.map((s) => edgeKey(s.id, r));
    const tried = await evaluator.evaluate(keys.map((k) => ({ removed: new Set([...removed, k]) })));
    const effect = tried.map((m) => (current - m) / gap);
    keys.forEach((k, i) => effects.set(k, effect[i]));
    const small = keys.map((k, i) => ({ k, e: Math.abs(effect[i]) })).filter((x) => x.e < opts.threshold);
    if (small.length === 0) continue;
    const together = new Set([...removed, ...small.map((x) => x.k)]);
    const [joint] = await evaluator.evaluate([{ removed: together }]);
    if (Math.abs(current - joint) / gap < opts.threshold) {
      for (const x of small) removed.add(x.k);
      current = joint;
      continue;
    }
    for (const x of small.sort((a, b) => a.e - b.e)) {
      const [m] = await evaluator.evaluate([{ removed: new Set([...removed, x.k]) }]);
      if (Math.abs(current - m) / gap < opts.threshold) {
        removed.add(x.k);
        current = m;
      }
    }
  }
  const edges = pruneDeadNodes(receivers, removed, effects, cfg.n_heads / cfg.n_key_value_heads);
  const nodeIds = new Set(edges.flatMap((e) => [e.from, e.to]));
  const nodes: CircuitNode[] = [
    ...senders(cfg)
      .filter((s) => nodeIds.has(s.id))
      .map((s) => ({ id: s.id, kind: s.kind, layer: s.kind === 'embed' ? null : s.layer, head: s.head })),
    ...(nodeIds.has('logits') ? [{ id: 'logits', kind: 'logits' as const, layer: null, head: null }] : []),
  ];
  return {
    task: { kind: task.kind, name: task.name, version: task.version },
    method: 'acdc',
    metric,
    threshold: opts.threshold,
    nodes,
    edges,
    edgesConsidered: allRemoved.size,
    cleanMetric,
    corruptedMetric,
    circuitMetric: current,
    forwardPasses: counted.passes,
    version: DISCOVERY_VERSION,
    ...(done < receivers.length ? { incomplete: { receiversDone: done, receiversTotal: receivers.length } } : {}),
  };
}

/**
 * The kept edges, minus those of nodes that reach nothing (no outgoing kept edge) or read nothing (no incoming kept
 * edge: their output is then exactly the corrupted one). Key/value receivers are named after every query head of
 * their group (the same edge, shared).
 */
function pruneDeadNodes(receivers: Receiver[], removed: Set<string>, effects: Map<string, number>, group: number): CircuitEdge[] {
  // The heads a receiver input belongs to: a key/value head feeds every query head of its group.
  const nodesOf = (r: Receiver): string[] =>
    (r.channel === 'k' || r.channel === 'v') && group > 1
      ? Array.from({ length: group }, (_, i) => headId(r.layer, r.head! * group + i))
      : [r.node];
  let kept = receivers.flatMap((r) => r.senders.filter((s) => !removed.has(edgeKey(s.id, r))).map((s) => ({ from: s.id, r })));
  for (;;) {
    const hasOut = new Set(kept.map((e) => e.from));
    const hasIn = new Set(kept.flatMap((e) => nodesOf(e.r)));
    const next = kept.filter(
      (e) => (e.r.node === 'logits' || nodesOf(e.r).some((n) => hasOut.has(n))) && (e.from === 'embed' || hasIn.has(e.from)),
    );
    if (next.length === kept.length) break;
    kept = next;
  }
  return kept.flatMap(({ from, r }) => {
    const effect = effects.get(edgeKey(from, r)) ?? 0;
    return nodesOf(r).map((to) => ({ from, to, channel: r.channel, effect }));
  });
}

function finalLogProbs(model: CircuitModel, v: { cache: Map<string, { shape: number[]; data: Float32Array }>; row: number }): Float64Array {
  const { cfg, weights } = model;
  const t = v.cache.get(`blocks.${cfg.n_layers - 1}.hook_resid_post`)!;
  const T = t.shape[1];
  const D = cfg.d_model;
  const x = Float64Array.from(t.data.subarray((v.row * T + T - 1) * D, (v.row * T + T) * D));
  normalizeRows(cfg, weights, 'ln_final', x, 1);
  const W_U = weights.get('unembed.W_U')!;
  return logSoftmax(projectRows(x, 1, D, W_U.data, 0, W_U.shape[1], weights.get('unembed.b_U')?.data ?? null));
}
