import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { ReferenceRunner } from '../../engine/reference';
import { randomModel } from '../../engine/random-model';
import { makeRng } from '../../sampling/random';
import { buildPlantedIoiModel, PLANTED_IOI_EDGES } from '../../testing/planted-circuits';
import { buildTask } from '../tasks';
import type { Task } from '../types';
import { patchHeads } from '../patching/sweeps';
import { discoverCircuit } from './acdc';
import { ConfigurationEvaluator, type Configuration } from './evaluate';
import { ReferenceConfigurationEvaluator, valueHooks } from './evaluate.reference';
import type { ModelConfig } from '../../models/types';
import { edgeKey, receiversInReverseOrder, type Receiver } from './graph';

const runners: OnnxRunner[] = [];
afterAll(() => Promise.all(runners.map((r) => r.dispose())));
const key = (e: { from: string; to: string; channel: string }) => `${e.from}>${e.to}:${e.channel}`;

describe('circuit discovery on the planted IOI circuit', () => {
  const { model, tokenizer } = buildPlantedIoiModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);
  const build = buildTask('ioi', tokenizer, { count: 4 });
  if (!build.ok) throw new Error(build.reason);

  it('recovers exactly the planted edges and nodes, and the circuit alone keeps the clean behaviour', async () => {
    const circuit = await discoverCircuit(onnx, model, build.task, { threshold: 0.05 });
    expect(circuit.edges.map(key).sort()).toEqual(PLANTED_IOI_EDGES.map(key).sort());
    expect(circuit.nodes.map((n) => n.id).sort()).toEqual(['L0H0', 'L1H0', 'L2H0', 'L2H1', 'L2H2', 'L3H0', 'embed', 'logits']);
    expect(circuit.circuitMetric).toBeCloseTo(circuit.cleanMetric, 2);
    expect(circuit.corruptedMetric).toBeCloseTo(0, 3);
    // logits ← embed + 12 heads; a head of layer l reads q, k, v from embed + 3l heads.
    expect(circuit.edgesConsidered).toBe(13 + [0, 1, 2, 3].reduce((sum, l) => sum + 9 * (1 + 3 * l), 0));
    expect(circuit.forwardPasses).toBeGreaterThan(0);
  }, 300_000); // ~10 s on an idle machine; minutes when the shared machine is loaded
});

describe('the edge evaluator (edge patching in the graph) against the plain-TS evaluator on the reference forward', () => {
  const configs: Array<[string, Partial<ModelConfig>]> = [
    ['LayerNorm, learned positions', { n_layers: 2 }],
    [
      'RMSNorm, rotary, grouped-query, gated MLP',
      {
        n_layers: 3,
        normalization_type: 'RMS',
        positional_embedding_type: 'rotary',
        n_key_value_heads: 2,
        gated_mlp: true,
        act_fn: 'silu',
      },
    ],
    ['parallel attention and MLP', { n_layers: 2, parallel_attn_mlp: true, positional_embedding_type: 'rotary' }],
    ['attention-only, no norm', { n_layers: 3, attn_only: true, normalization_type: null }],
  ];
  for (const [name, overrides] of configs) {
    it(`${name}: random edge sets agree; no edge removed = clean, all removed = corrupted, all edges out of one head = patching that head`, async () => {
      const model = randomModel(overrides, { seed: 4 });
      const onnx = new OnnxRunner(model);
      runners.push(onnx);
      const reference = new ReferenceRunner(model);
      const rng = makeRng(8);
      const seq = () => Array.from({ length: 6 }, () => rng.int(model.cfg.d_vocab));
      const pairs = [0, 1, 2].map(() => ({ clean: seq(), corrupted: seq(), answer: 5, wrong: 6, positions: { END: [5] } }));
      const task: Task = { kind: 'user', name: 'r', description: '', citation: null, metric: 'logit_diff', version: 1, pairs, skipped: [] };
      const receivers = receiversInReverseOrder(model.cfg);
      const keys = receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r)));
      const all = new Set(keys);
      const fromL0H1 = new Set(receivers.flatMap((r) => r.senders.filter((s) => s.id === 'L0H1').map((s) => edgeKey(s.id, r))));
      const randomSets = [0.1, 0.3, 0.6].map((p) => ({ removed: new Set(keys.filter(() => rng.next() < p)) }));
      const evaluated: Configuration[] = [{ removed: new Set() }, { removed: all }, { removed: fromL0H1 }, ...randomSets];

      const ev = new ConfigurationEvaluator(onnx, model, pairs, receivers, 'logit_diff');
      const inGraph = await ev.evaluate(evaluated);
      // The plain-TS check: receiver inputs recomputed in TypeScript and patched into hook_q|k|v / mlp.hook_pre, iterated to a fixed point.
      const values = valueHooks(model);
      const clean = [];
      const corrupted = [];
      for (const p of pairs) {
        const cache = await reference.run([p.clean, p.corrupted], values);
        clean.push({ cache, row: 0 });
        corrupted.push({ cache, row: 1 });
      }
      const check = await new ReferenceConfigurationEvaluator(
        reference,
        model,
        pairs,
        receivers,
        'logit_diff',
        clean,
        corrupted,
        [],
      ).evaluate(evaluated);
      inGraph.forEach((m, i) => expect(m).toBeCloseTo(check[i], 3));
      expect(new Set(inGraph.slice(3).map((m) => m.toFixed(3))).size).toBeGreaterThan(1); // the random sets differ

      // Whole-head noising: the corrupted output of L0H1 patched into the clean run (hook_z), by the sweep engine.
      const noising: Task = { ...task, pairs: pairs.map((p) => ({ ...p, clean: p.corrupted, corrupted: p.clean })) };
      const sweep = await patchHeads(reference, model, noising, {});
      const [m0, mAll, mHead] = inGraph;
      expect(m0).toBeCloseTo(sweep.corruptedMetric, 3); // the sweep's "corrupted" is our clean here
      expect(mAll).toBeCloseTo(sweep.cleanMetric, 3);
      expect(mHead).toBeCloseTo(sweep.metrics[1], 3);
      // Every configuration × pair in one forward (plus the corrupted sources' run).
      expect(ev.forwardPasses).toBe(2);
    });
  }
});

describe('batched discovery = ACDC one configuration at a time', () => {
  /** The same decisions, written plainly: every configuration evaluated on its own. */
  async function sequentialEdges(ev: ConfigurationEvaluator, receivers: Receiver[], threshold: number) {
    const one = async (removed: Set<string>) => (await ev.evaluate([{ removed }]))[0];
    const all = new Set(receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r))));
    const clean = await one(new Set());
    const gap = Math.abs(clean - (await one(all)));
    const removed = new Set<string>();
    let current = clean;
    let oneByOne = 0;
    for (const r of receivers) {
      const tried = [];
      for (const s of r.senders)
        tried.push({ k: edgeKey(s.id, r), e: Math.abs(current - (await one(new Set([...removed, edgeKey(s.id, r)])))) / gap });
      const small = tried.filter((x) => x.e < threshold);
      if (small.length === 0) continue;
      const joint = await one(new Set([...removed, ...small.map((x) => x.k)]));
      if (Math.abs(current - joint) / gap < threshold) {
        small.forEach((x) => removed.add(x.k));
        current = joint;
        continue;
      }
      for (const x of small.sort((a, b) => a.e - b.e)) {
        oneByOne++;
        const m = await one(new Set([...removed, x.k]));
        if (Math.abs(current - m) / gap < threshold) {
          removed.add(x.k);
          current = m;
        }
      }
    }
    return { removed, current, oneByOne };
  }

  it('keeps exactly the same edges on a random model, with and without the one-at-a-time fallback', async () => {
    const model = randomModel({ n_layers: 2, n_heads: 3, n_key_value_heads: 3, d_head: 5, d_model: 15 }, { seed: 11 });
    const onnx = new OnnxRunner(model);
    runners.push(onnx);
    const rng = makeRng(3);
    const seq = () => Array.from({ length: 5 }, () => rng.int(model.cfg.d_vocab));
    const pairs = [0, 1].map(() => ({ clean: seq(), corrupted: seq(), answer: 5, wrong: 6, positions: { END: [4] } }));
    const task: Task = { kind: 'user', name: 'r', description: '', citation: null, metric: 'logit_diff', version: 1, pairs, skipped: [] };
    const receivers = receiversInReverseOrder(model.cfg);
    let fallbacks = 0;
    for (const threshold of [0.01, 0.05, 0.2]) {
      const plain = await sequentialEdges(new ConfigurationEvaluator(onnx, model, pairs, receivers, 'logit_diff'), receivers, threshold);
      fallbacks += plain.oneByOne;
      const circuit = await discoverCircuit(onnx, model, task, { threshold });
      const kept = receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r))).filter((k) => !plain.removed.has(k));
      // discoverCircuit also drops edges of dead nodes; compare the edges it kept against the plain run's kept ones.
      for (const e of circuit.edges) expect(kept).toContain(key(e));
      expect(circuit.circuitMetric).toBeCloseTo(plain.current, 4);
    }
    expect(fallbacks).toBeGreaterThan(0);
  }, 120_000);
});
