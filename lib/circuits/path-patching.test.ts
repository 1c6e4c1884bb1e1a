import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../engine/onnx-runner';
import { ReferenceRunner } from '../engine/reference';
import { randomModel } from '../engine/random-model';
import type { Intervention } from '../engine/interventions';
import { makeRng } from '../sampling/random';
import { buildPlantedIoiModel, PLANTED_IOI_HEADS } from '../testing/planted-circuits';
import { buildTask } from './tasks';
import { pathPatch } from './path-patching';
import type { Task } from './types';

const runners: OnnxRunner[] = [];
afterAll(() => Promise.all(runners.map((r) => r.dispose())));

describe('path patching on the planted IOI circuit', () => {
  const { model, tokenizer } = buildPlantedIoiModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);
  const build = buildTask('ioi', tokenizer, { count: 6 });
  if (!build.ok) throw new Error(build.reason);
  const task = build.task;

  it('direct paths to the logits: the name movers carry the answer (−1 each), the negative heads work against it', async () => {
    const r = await pathPatch(onnx, model, task, { receiver: { kind: 'logits' } });
    const { nameMovers, negativeNameMover, copySuppression } = PLANTED_IOI_HEADS;
    for (const nm of nameMovers) expect(r.effects[nm.layer][nm.head]).toBeCloseTo(-1, 2);
    expect(r.effects[negativeNameMover.layer][negativeNameMover.head]).toBeCloseTo(0.5, 2);
    expect(r.effects[copySuppression.layer][copySuppression.head]).toBeCloseTo(0.5, 2);
    const rest = r.effects
      .flatMap((row, l) => row.map((e, h) => ({ l, h, e })))
      .filter(({ l, h }) => l >= 2 && !(l === 2) && !(l === 3 && h === 0));
    for (const { e } of rest) expect(Math.abs(e)).toBeLessThan(1e-4);
    expect(Math.abs(r.effects[0][0]) + Math.abs(r.effects[1][0])).toBeLessThan(1e-4); // no direct path from the early heads
    expect(r.forwardPasses).toBeLessThan(r.naiveForwardPasses / 10);
  });

  it("sender → the name movers' queries: only the S-inhibition head (the duplicate-token head acts through it, which is frozen)", async () => {
    const r = await pathPatch(onnx, model, task, { receiver: { kind: 'heads', heads: [...PLANTED_IOI_HEADS.nameMovers], channel: 'q' } });
    expect(r.effects[1][0]).toBeLessThan(-1);
    for (const [l, h] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ])
      expect(Math.abs(r.effects[l][h])).toBeLessThan(1e-4);
  });

  it("sender → the S-inhibition head's key and value: the duplicate-token head", async () => {
    for (const channel of ['k', 'v'] as const) {
      const r = await pathPatch(onnx, model, task, { receiver: { kind: 'heads', heads: [PLANTED_IOI_HEADS.sInhibition], channel } });
      expect(r.effects[0][0]).toBeLessThan(-0.5);
      expect(Math.abs(r.effects[0][1]) + Math.abs(r.effects[0][2])).toBeLessThan(1e-4);
    }
  });
});

describe('path patching against a hand-written two-pass computation on the reference forward', () => {
  const model = randomModel({ n_layers: 3 }, { seed: 9 });
  const onnx = new OnnxRunner(model);
  runners.push(onnx);
  const reference = new ReferenceRunner(model);
  const rng = makeRng(2);
  const seq = () => Array.from({ length: 6 }, () => rng.int(model.cfg.d_vocab));
  const pairs = [0, 1].map(() => ({ clean: seq(), corrupted: seq(), answer: 3, wrong: 4, positions: { END: [5] } }));
  const task: Task = { kind: 'user', name: 'r', description: '', citation: null, metric: 'logit_diff', version: 1, pairs, skipped: [] };
  const ld = (logits: { shape: number[]; data: Float32Array }) => {
    const [, T, V] = logits.shape;
    return logits.data[(T - 1) * V + 3] - logits.data[(T - 1) * V + 4];
  };

  it('L0H2 → L2H1 value: the batched engine equals freezing by hand', async () => {
    const hooks = [
      'blocks.0.attn.hook_z',
      'blocks.1.attn.hook_z',
      'blocks.2.attn.hook_z',
      'blocks.0.hook_mlp_out',
      'blocks.1.hook_mlp_out',
      'blocks.2.hook_mlp_out',
    ];
    let expected = 0;
    let clean = 0;
    let corrupted = 0;
    for (const pair of pairs) {
      const c = await reference.run([pair.clean], [...hooks, 'logits']);
      const x = await reference.run([pair.corrupted], [...hooks, 'logits']);
      clean += ld(c.get('logits')!);
      corrupted += ld(x.get('logits')!);
      const freeze: Intervention[] = hooks.map((hook) => ({ hook, kind: 'patch', value: c.get(hook)! }));
      freeze.push({ hook: 'blocks.0.attn.hook_z', kind: 'patch', head: 2, value: x.get('blocks.0.attn.hook_z')! });
      const v = (await reference.run([pair.clean], ['blocks.2.attn.hook_v'], { interventions: freeze })).get('blocks.2.attn.hook_v')!;
      const out = await reference.run([pair.clean], ['logits'], {
        interventions: [{ hook: 'blocks.2.attn.hook_v', kind: 'patch', head: 1, value: v }],
      });
      expected += ld(out.get('logits')!);
    }
    const r = await pathPatch(onnx, model, task, { receiver: { kind: 'heads', heads: [{ layer: 2, head: 1 }], channel: 'v' } });
    expect(r.effects[0][2]).toBeCloseTo((expected / 2 - clean / 2) / (clean / 2 - corrupted / 2), 4);
  });
});
