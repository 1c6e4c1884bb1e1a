import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from './onnx-runner';
import { ReferenceRunner } from './reference';
import { randomModel } from './random-model';
import { edgeReceiverCount, edgeReceiverIndex, edgeSenderCount, edgeSenderIndex, edgeSourceHooks, type EdgePatches } from './edge-patching';

const model = randomModel({ n_layers: 2 }, { seed: 3 });
const onnx = new OnnxRunner(model);
afterAll(() => onnx.dispose());
const { cfg } = model;
const R = edgeReceiverCount(cfg);
const S = edgeSenderCount(cfg);
const clean = [1, 5, 7, 9, 11];
const corrupted = [1, 6, 8, 10, 12];

async function patches(batch: number): Promise<EdgePatches> {
  const src = await onnx.run([corrupted], edgeSourceHooks(cfg));
  return { mask: new Float32Array(batch * R * S), sourceRow: new Array(batch).fill(0), sources: src };
}

describe('edge patching in the graph', () => {
  it('one removed edge sender → query input equals patching that query with the input recomputed by hand (reference forward)', async () => {
    // Remove embed → L1H2:q: head 2 of layer 1 computes its query from resid_pre − embed(clean) + embed(corrupted).
    const e = await patches(2);
    e.mask[1 * R * S + edgeReceiverIndex(cfg, { kind: 'q', layer: 1, head: 2 }) * S + edgeSenderIndex(cfg, { kind: 'embed' })] = 1;
    const out = await onnx.run([clean, clean], ['blocks.1.attn.hook_q', 'logits'], { edgePatches: e });
    const ref = new ReferenceRunner(model);
    const cleanRun = await ref.run([clean], ['blocks.1.attn.hook_q', 'logits']);
    // Row 0 removes nothing: the clean run.
    const q = out.get('blocks.1.attn.hook_q')!;
    const per = q.data.length / 2;
    for (let i = 0; i < per; i += 7) expect(q.data[i]).toBeCloseTo(cleanRun.get('blocks.1.attn.hook_q')!.data[i], 4);
    // Row 1: only head 2's query changes, and it is what ln1 + W_Q give on the edited residual.
    const { n_heads: H, d_head: dh } = cfg;
    const moved = new Set<number>();
    for (let t = 0; t < clean.length; t++)
      for (let h = 0; h < H; h++)
        for (let d = 0; d < dh; d++) {
          const i = (t * H + h) * dh + d;
          if (Math.abs(q.data[per + i] - q.data[i]) > 1e-6) moved.add(h);
        }
    expect([...moved]).toEqual([2]);
    // The reference forward fed a resid_pre of layer 1 with the embedding swapped gives the same query for head 2.
    const embC = (await ref.run([clean], ['blocks.0.hook_resid_pre'])).get('blocks.0.hook_resid_pre')!;
    const embX = e.sources.get('blocks.0.hook_resid_pre')!;
    const residPre1 = (await ref.run([clean], ['blocks.1.hook_resid_pre'])).get('blocks.1.hook_resid_pre')!;
    const edited = Float32Array.from(residPre1.data, (v, i) => v - embC.data[i] + embX.data[i]);
    const patched = await ref.run([clean], ['blocks.1.attn.hook_q'], {
      interventions: [{ hook: 'blocks.1.hook_resid_pre', kind: 'patch', value: { shape: residPre1.shape, data: edited } }],
    });
    const qRef = patched.get('blocks.1.attn.hook_q')!;
    for (let t = 0; t < clean.length; t++)
      for (let d = 0; d < dh; d++) expect(q.data[per + (t * H + 2) * dh + d]).toBeCloseTo(qRef.data[(t * H + 2) * dh + d], 4);
  });

  it('refuses masks on non-edges, bad source rows, missing sources and ln1 hooks, naming the problem', async () => {
    const e = await patches(1);
    // Layer 1's MLP → layer 0's query is no edge (it is downstream).
    e.mask[edgeReceiverIndex(cfg, { kind: 'q', layer: 0, head: 0 }) * S + edgeSenderIndex(cfg, { kind: 'mlp', layer: 1 })] = 1;
    await expect(onnx.run([clean], ['logits'], { edgePatches: e })).rejects.toThrow(/not an edge/);
    const ok = await patches(1);
    await expect(onnx.run([clean], ['logits'], { edgePatches: { ...ok, sourceRow: [3] } })).rejects.toThrow(/source row 3/);
    const missing = new Map(ok.sources);
    missing.delete('blocks.1.attn.hook_z');
    await expect(onnx.run([clean], ['logits'], { edgePatches: { ...ok, sources: missing } })).rejects.toThrow(/hook_z are missing/);
    await expect(onnx.run([clean], ['blocks.0.ln1.hook_normalized'], { edgePatches: ok })).rejects.toThrow(/own ln1/);
    await expect(new ReferenceRunner(model).run([clean], ['logits'], { edgePatches: ok })).rejects.toThrow(/OnnxRunner/);
  });
});
