import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { ReferenceRunner } from '../../engine/reference';
import { randomModel } from '../../engine/random-model';
import { makeRng } from '../../sampling/random';
import type { Task } from '../types';
import { causalTrace } from './causal-trace';

const runners: OnnxRunner[] = [];
afterAll(() => Promise.all(runners.map((r) => r.dispose())));

describe('causal tracing (noised subject embeddings, clean states restored)', () => {
  const model = randomModel({ n_layers: 3 }, { seed: 12 });
  const onnx = new OnnxRunner(model);
  runners.push(onnx);
  const rng = makeRng(3);
  const seq = () => Array.from({ length: 7 }, () => rng.int(model.cfg.d_vocab));
  const pairs = [0, 1, 2].map(() => {
    const clean = seq();
    return { clean, corrupted: clean, answer: 1, wrong: 2, positions: { SUBJECT: [2], END: [6] } };
  });
  const task: Task = { kind: 'user', name: 'facts', description: '', citation: null, metric: 'logit_diff', version: 1, pairs, skipped: [] };

  it('restoring the residual stream at the noised position before layer 0 undoes the noise (effect 1); before it, nothing', async () => {
    const trace = await causalTrace(onnx, model, task, { noiseScale: 3 });
    const [L, T] = trace.shape;
    expect([L, T]).toEqual([3, 7]);
    expect(trace.effects[0 * T + 2]).toBeCloseTo(1, 4);
    expect(trace.effects[0 * T + 0]).toBeCloseTo(0, 4); // position 0 precedes the noise: restoring it changes nothing
    expect(Math.abs(trace.cleanMetric - trace.corruptedMetric)).toBeGreaterThan(1e-3);
    // Without noise, the "noised" run of every pair is its own clean run (each row reads its own pair's embeddings).
    const silent = await causalTrace(onnx, model, task, { noiseScale: 0 });
    expect(silent.corruptedMetric).toBeCloseTo(silent.cleanMetric, 4);
  });

  it('the ONNX engine and the reference forward give the same trace (resid and MLP windows)', async () => {
    const reference = new ReferenceRunner(model);
    for (const opts of [{}, { site: 'mlp_window' as const, window: 2 }]) {
      const a = await causalTrace(onnx, model, task, opts);
      const b = await causalTrace(reference, model, task, opts);
      a.metrics.forEach((m, i) => expect(m).toBeCloseTo(b.metrics[i], 4));
      expect(a.forwardPasses).toBeLessThan(a.naiveForwardPasses);
    }
  });
});
