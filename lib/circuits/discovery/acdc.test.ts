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
import { ConfigurationEvaluator, valueHooks } from './evaluate';
import { edgeKey, receiversInReverseOrder } from './graph';

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

describe('the edge evaluator against whole-node patching on the reference forward', () => {
  const model = randomModel({ n_layers: 2 }, { seed: 4 });
  const onnx = new OnnxRunner(model);
  runners.push(onnx);
  const reference = new ReferenceRunner(model);
  const rng = makeRng(8);
  const seq = () => Array.from({ length: 6 }, () => rng.int(model.cfg.d_vocab));
  const pairs = [0, 1, 2].map(() => ({ clean: seq(), corrupted: seq(), answer: 5, wrong: 6, positions: { END: [5] } }));
  const task: Task = { kind: 'user', name: 'r', description: '', citation: null, metric: 'logit_diff', version: 1, pairs, skipped: [] };

  it('no edge removed = clean, every edge removed = corrupted, all edges out of one head = patching that head', async () => {
    const receivers = receiversInReverseOrder(model.cfg);
    const values = valueHooks(model);
    const clean = [];
    const corrupted = [];
    for (const p of pairs) {
      const cache = await reference.run([p.clean, p.corrupted], values);
      clean.push({ cache, row: 0 });
      corrupted.push({ cache, row: 1 });
    }
    for (const runner of [onnx, reference]) {
      const ev = new ConfigurationEvaluator(runner, model, pairs, receivers, 'logit_diff', clean, corrupted, []);
      const all = new Set(receivers.flatMap((r) => r.senders.map((s) => edgeKey(s.id, r))));
      const fromL0H1 = new Set(receivers.flatMap((r) => r.senders.filter((s) => s.id === 'L0H1').map((s) => edgeKey(s.id, r))));
      const [m0, mAll, mHead] = await ev.evaluate([{ removed: new Set() }, { removed: all }, { removed: fromL0H1 }]);
      // Whole-head noising: the corrupted output of L0H1 patched into the clean run (hook_z), by the sweep engine.
      const noising: Task = { ...task, pairs: pairs.map((p) => ({ ...p, clean: p.corrupted, corrupted: p.clean })) };
      const sweep = await patchHeads(reference, model, noising, {});
      expect(m0).toBeCloseTo(sweep.corruptedMetric, 4); // the sweep's "corrupted" is our clean here
      expect(mAll).toBeCloseTo(sweep.cleanMetric, 4);
      expect(mHead).toBeCloseTo(sweep.metrics[1], 4);
    }
  });
});
