import type { ModelConfig } from '../models/types';
import type { OnnxGraphBuilder } from './onnx-builder';
import {
  EDGE_MASK_INPUT,
  EDGE_SOURCE_ROW_INPUT,
  edgeReceiverCount,
  edgeReceiverIndex,
  edgeSenderCount,
  edgeSenderIndex,
  edgeSourceHooks,
  edgeSourceInput,
} from './edge-patching';
import { hookDims } from './hooks';

/**
 * The graph side of edge patching (lib/engine/edge-patching.ts has the definition and the inputs). onnx-graph.ts
 * reports each sender's value as the forward pass computes it (embed, heads, mlp) and asks for each receiver's input
 * (attentionProjections, mlpInput, logitsInput). Layout: a sender group's change is kept as Δ [batch, senders, pos·D]
 * (heads: (z − z_source)·W_O per head, one batched MatMul), so a receiver group's correction is one batched MatMul per
 * upstream sender group, mask[batch, receivers, senders] @ Δ, without materialising per-edge tensors.
 */

/** What the edge graph needs from the model graph being built. */
export interface EdgeGraphHost {
  b: OnnxGraphBuilder;
  cfg: ModelConfig;
  /** The block's norm `prefix` over the last axis of x (any leading axes). */
  norm(prefix: string, x: string): string;
  /** A weight as the graph reads it; optional ones give null when the model has none. */
  weight(name: string, shape: number[]): string;
  optionalWeight(name: string, shape: number[]): string | null;
  /** A float32 initializer of zeros. */
  zeros(name: string, dims: number[]): string;
}

interface SenderGroup {
  stage: number;
  first: number;
  count: number;
  /** [batch, count, pos·D]: this run's values minus the source run's. */
  delta: string;
}

export class EdgePatchGraph {
  private readonly groups: SenderGroup[] = [];
  private readonly mask: string;
  private readonly sourceRow: string;

  constructor(private readonly host: EdgeGraphHost) {
    const { b, cfg } = host;
    this.mask = b.input(EDGE_MASK_INPUT, 'float32', ['batch', edgeReceiverCount(cfg), edgeSenderCount(cfg)]);
    this.sourceRow = b.input(EDGE_SOURCE_ROW_INPUT, 'int64', ['batch']);
    for (const hook of edgeSourceHooks(cfg)) {
      const dims = hookDims(cfg, hook).map((d) => (d === 'batch' ? 'edge_sources' : d));
      b.input(edgeSourceInput(hook), 'float32', dims);
    }
  }

  /** The source run's value of a hook for every batch row (Gather along the sources' first axis). */
  private source(hook: string): string {
    return this.host.b.op('Gather', [edgeSourceInput(hook), this.sourceRow], { axis: 0 }, undefined, `edges/${hook}/source`);
  }

  /** [batch, pos, D] → [batch, 1, pos·D]. */
  private flatOne(x: string, hint: string): string {
    return this.host.b.op('Reshape', [x, this.host.b.int64Constant([0, 1, -1])], {}, undefined, hint);
  }

  embed(resid0: string): void {
    const { b } = this.host;
    const delta = b.op('Sub', [resid0, this.source('blocks.0.hook_resid_pre')], {}, undefined, 'edges/embed/delta');
    this.groups.push({ stage: -1, first: 0, count: 1, delta: this.flatOne(delta, 'edges/embed/delta_flat') });
  }

  /** zHeads [batch, head, pos, d_head]: the z that feeds the heads' outputs; W_O [head, d_head, D]. */
  heads(layer: number, zHeads: string, W_O: string): void {
    const { b, cfg } = this.host;
    const p = `edges/blocks.${layer}.heads`;
    const zSource = b.op('Transpose', [this.source(`blocks.${layer}.attn.hook_z`)], { perm: [0, 2, 1, 3] }, undefined, `${p}/z_source`);
    const dz = b.op('Sub', [zHeads, zSource], {}, undefined, `${p}/dz`);
    const dResult = b.op('MatMul', [dz, W_O], {}, undefined, `${p}/dresult`); // [batch, head, pos, D]
    const delta = b.op('Reshape', [dResult, b.int64Constant([0, 0, -1])], {}, undefined, `${p}/delta`);
    this.groups.push({ stage: 2 * layer, first: edgeSenderIndex(cfg, { kind: 'head', layer, head: 0 }), count: cfg.n_heads, delta });
  }

  mlp(layer: number, mlpOut: string): void {
    const { b, cfg } = this.host;
    const p = `edges/blocks.${layer}.mlp`;
    const delta = b.op('Sub', [mlpOut, this.source(`blocks.${layer}.hook_mlp_out`)], {}, undefined, `${p}/delta`);
    this.groups.push({
      stage: 2 * layer + 1,
      first: edgeSenderIndex(cfg, { kind: 'mlp', layer }),
      count: 1,
      delta: this.flatOne(delta, `${p}/delta_flat`),
    });
  }

  /**
   * The inputs of receivers [first, first + count) read at `stage`: resid [batch, pos, D] minus their removed senders'
   * changes, as [batch, count, pos·D].
   */
  private receiverInputs(resid: string, stage: number, first: number, count: number, hint: string): string {
    const { b } = this.host;
    const terms = this.groups
      .filter((g) => g.stage < stage)
      .map((g) => {
        const m = b.op(
          'Slice',
          [this.mask, b.int64Constant([first, g.first]), b.int64Constant([first + count, g.first + g.count]), b.int64Constant([1, 2])],
          {},
          undefined,
          `${hint}/mask`,
        );
        return b.op('MatMul', [m, g.delta], {}, undefined, `${hint}/correction_part`);
      });
    const correction = terms.length === 1 ? terms[0] : b.op('Sum', terms, {}, undefined, `${hint}/correction`);
    return b.op('Sub', [this.flatOne(resid, `${hint}/resid_flat`), correction], {}, undefined, `${hint}/inputs`);
  }

  /**
   * Every query, key and value head of a layer reads its own residual, normed by ln1 and projected by its own
   * W_Q|K|V slice: [batch, H + 2·Hkv, pos, D] @ [H + 2·Hkv, D, d_head]. Returns flat [batch, pos, n·d_head] q, k, v
   * like the fused projection of an ordinary graph.
   */
  attentionProjections(layer: number, residPre: string): { q: string; k: string; v: string } {
    const { b, cfg } = this.host;
    const { n_heads: H, n_key_value_heads: Hkv, d_head: dh, d_model: D } = cfg;
    const p = `blocks.${layer}.attn`;
    const R = H + 2 * Hkv;
    const first = edgeReceiverIndex(cfg, { kind: 'q', layer, head: 0 });
    const flat = this.receiverInputs(residPre, 2 * layer, first, R, `edges/${p}`);
    const inputs = b.op('Reshape', [flat, b.int64Constant([0, R, -1, D])], {}, undefined, `edges/${p}/receiver_inputs`);
    const normed = this.host.norm(`blocks.${layer}.ln1`, inputs);
    const parts = [
      { which: 'Q', n: H },
      { which: 'K', n: Hkv },
      { which: 'V', n: Hkv },
    ];
    const W = b.op(
      'Concat',
      parts.map((x) => this.host.weight(`${p}.W_${x.which}`, [x.n, D, dh])),
      { axis: 0 },
      undefined,
      `edges/${p}/W_receivers`,
    );
    let projected = b.op('MatMul', [normed, W], {}, undefined, `edges/${p}/receiver_qkv`); // [batch, R, pos, dh]
    const biases = parts.map((x) => this.host.optionalWeight(`${p}.b_${x.which}`, [x.n, dh]));
    if (biases.some((x) => x !== null)) {
      const pieces = parts.map((x, i) => biases[i] ?? this.host.zeros(`edges/${p}.b_${x.which}/zeros`, [x.n, dh]));
      const bias = b.op(
        'Reshape',
        [b.op('Concat', pieces, { axis: 0 }, undefined, `edges/${p}/b_receivers`), b.int64Constant([R, 1, dh])],
        {},
        undefined,
        `edges/${p}/b_receivers_rows`,
      );
      projected = b.op('Add', [projected, bias], {}, undefined, `edges/${p}/receiver_qkv_biased`);
    }
    const [q, k, v] = b.multiOp(
      'Split',
      [projected, b.int64Constant([H, Hkv, Hkv])],
      ['q', 'k', 'v'].map((n) => b.name(`edges/${p}/${n}_heads`)),
      { axis: 1 },
    );
    // [batch, n, pos, dh] → flat [batch, pos, n·dh].
    const toFlat = (x: string, n: string) =>
      b.op(
        'Reshape',
        [b.op('Transpose', [x], { perm: [0, 2, 1, 3] }, undefined, `edges/${p}/${n}_pos_major`), b.int64Constant([0, 0, -1])],
        {},
        undefined,
        `edges/${p}/${n}_flat`,
      );
    return { q: toFlat(q, 'q'), k: toFlat(k, 'k'), v: toFlat(v, 'v') };
  }

  /** The MLP's input before its norm, [batch, pos, D]. */
  mlpInput(layer: number, resid: string): string {
    const { b, cfg } = this.host;
    const stage = cfg.parallel_attn_mlp ? 2 * layer : 2 * layer + 1;
    const flat = this.receiverInputs(resid, stage, edgeReceiverIndex(cfg, { kind: 'mlp', layer }), 1, `edges/blocks.${layer}.mlp`);
    return b.op('Reshape', [flat, b.int64Constant([0, -1, cfg.d_model])], {}, undefined, `edges/blocks.${layer}.mlp/input`);
  }

  /** The logits' input (the final norm reads it), named `name` (the last hook_resid_post). */
  logitsInput(residPost: string, name: string): string {
    const { b, cfg } = this.host;
    const flat = this.receiverInputs(residPost, 2 * cfg.n_layers, edgeReceiverIndex(cfg, { kind: 'logits' }), 1, 'edges/logits');
    return b.op('Reshape', [flat, b.int64Constant([0, -1, cfg.d_model])], {}, name);
  }
}
