import type { ForwardRunner } from '../../engine/types';
import type { Circuit, CircuitEdge, CircuitModel, CircuitNode, MetricKind, Task } from '../types';
import { CountingRunner } from '../metric';
import { ConfigurationEvaluator, type Configuration } from './evaluate';
import { edgeKey, headId, receiversInReverseOrder, senders, type Receiver } from './graph';

/**
 * Automatic circuit discovery (open problem 6.47), ACDC's edge pruning (Conmy et al. 2023): receivers from the
 * logits back to layer 0; for each, every incoming edge is corrupted (the receiver reads the sender's corrupted
 * output) and removed when the metric moves by less than τ × |clean − corrupted|. Batched: all incoming edges of a
 * receiver are tested at once, one batch row per (edge, prompt pair), each against the current circuit; the edges
 * below τ are then removed together if that moves the metric by less than τ, else one at a time, smallest first, as
 * ACDC does (a chunk of candidates per forward, exactly the sequential decisions; see the loop) (so two edges that can stand in for each other are not both removed). Finally nodes that no longer reach
 * the logits, or receive nothing, are dropped with their edges (exact: such edges carry the corrupted value anyway).
 * Each evaluation is edge patching in the graph (evaluate.ts, lib/engine/edge-patching.ts): one batch row per
 * (edge set, prompt pair), one forward for as many rows as fit. The joint test rides in one batch with the next
 * receiver's edge tests when it is likely to pass (against the removed set it would leave, used when it passes), and a single
 * small edge needs no joint test (its own test is that configuration): about one forward batch per receiver.
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
  const receivers = receiversInReverseOrder(cfg);
  // Every evaluation is edge patching in the graph: one batch row per (configuration, prompt pair).
  const evaluator = new ConfigurationEvaluator(counted, model, task.pairs, receivers, metric, opts.maxRows);
  const allRemoved = new Set(receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r))));
  // Replaced (never mutated) when edges are removed: the evaluator memoises each removed set's mask offsets.
  let removed: ReadonlySet<string> = new Set<string>();
  const testsOf = (r: Receiver, base: ReadonlySet<string>): Configuration[] =>
    r.senders.map((s) => ({ removed: base, also: [edgeKey(s.id, r)] }));
  // The next receiver's edge tests ride in the batch that decides the current one (against the removed set they assume).
  const first = await evaluator.evaluate([{ removed }, { removed: allRemoved }, ...testsOf(receivers[0], removed)]);
  const [cleanMetric, corruptedMetric] = first;
  let pending: { removed: ReadonlySet<string>; values: number[] } | null = { removed, values: first.slice(2) };
  const gap = Math.abs(cleanMetric - corruptedMetric);
  if (gap === 0) throw new Error(`discoverCircuit: clean and corrupted prompts score the same on ${task.name}: nothing to explain`);

  const effects = new Map<string, number>();
  let current = cleanMetric;
  let done = 0;
  for (let ri = 0; ri < receivers.length; ri++) {
    const r = receivers[ri];
    const next = receivers[ri + 1];
    if (done > 0 && opts.onReceiver?.(done, receivers.length, counted.passes)) break;
    done++;
    const keys = r.senders.map((s) => edgeKey(s.id, r));
    const tried: number[] = pending?.removed === removed ? pending.values : await evaluator.evaluate(testsOf(r, removed));
    pending = null;
    const effect = tried.map((m) => (current - m) / gap);
    keys.forEach((k, i) => effects.set(k, effect[i]));
    const small = keys.map((k, i) => ({ k, i, e: Math.abs(effect[i]) })).filter((x) => x.e < opts.threshold);
    if (small.length === 0) continue;
    const together: ReadonlySet<string> = new Set([...removed, ...small.map((x) => x.k)]);
    let joint: number;
    if (small.length === 1)
      joint = tried[small[0].i]; // the same configuration as its own test
    else {
      // The next receiver's tests ride along only when the joint test is likely to pass (the small effects' sum, its
      // linear estimate, is below τ): when it fails they would be wasted rows.
      const ride = next && small.reduce((sum, x) => sum + x.e, 0) < opts.threshold;
      const values = await evaluator.evaluate([{ removed, also: small.map((x) => x.k) }, ...(ride ? testsOf(next, together) : [])]);
      joint = values[0];
      if (ride) pending = { removed: together, values: values.slice(1) };
    }
    if (Math.abs(current - joint) / gap < opts.threshold) {
      removed = together;
      current = joint;
      continue;
    }
    // One at a time, smallest first, as ACDC, a chunk of candidates per forward, each tested under a guess about the
    // earlier ones in the chunk: all removed (prefix sets) after a removal, none removed (singles) after a rejection.
    // Read in order, the decisions are the sequential ones while the guess holds: the run it predicted settles together
    // with the candidate that ends it (whose own test assumed exactly the decisions made). The chunk grows while whole
    // chunks settle and shrinks to what did; the guess follows the last decision.
    let queue = small.sort((a, b) => a.e - b.e).map((x) => x.k);
    let chunkSize = 4;
    let guessRemoved = false; // the joint test just failed: rejections are likely next
    const passes = (before: number, after: number) => Math.abs(before - after) / gap < opts.threshold;
    while (queue.length > 0) {
      const c = Math.min(queue.length, chunkSize, evaluator.configsPerForward());
      const chunk = queue.slice(0, c);
      const values = await evaluator.evaluate(chunk.map((k, j) => ({ removed, also: guessRemoved ? chunk.slice(0, j + 1) : [k] })));
      let j = 0;
      for (; j < c; j++) {
        const ok = passes(current, values[j]);
        if (ok) {
          removed = new Set([...removed, chunk[j]]);
          current = values[j];
        }
        if (ok !== guessRemoved) {
          guessRemoved = ok;
          j++;
          break; // the later tests assumed the other decision
        }
      }
      queue = queue.slice(j);
      chunkSize = j === c ? 2 * c : Math.max(2, 2 * j);
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
function pruneDeadNodes(receivers: Receiver[], removed: ReadonlySet<string>, effects: Map<string, number>, group: number): CircuitEdge[] {
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
