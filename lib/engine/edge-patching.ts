import type { ModelConfig, Tensor } from '../models/types';
import type { HookName } from './types';

/**
 * Edge patching: ACDC's (Conmy et al. 2023) and path patching's intervention point, in the graph. The model is seen
 * as senders (the embedding, every head's output z·W_O, every MLP's output) writing into the residual stream and
 * receivers reading from it (every head's query, key and value input, every MLP's input, the logits). Removing the
 * edge s → r means r reads s's SOURCE value (a corrupted run's) instead of its value in this run, everything else
 * unchanged; so each receiver gets its own input,
 *   x_r = resid − Σ_s mask[row, r, s] · (out_s(this run) − out_s(source run)),
 * then its own norm and input projection (TransformerLens' use_split_qkv_input, per receiver). Every batch row has
 * its own mask, so one forward evaluates as many edge sets as it has rows, exactly (the "this run" values are the
 * row's own, computed upstream in the same pass: no fixed point, no second pass).
 *
 * Inputs of an edge-patched graph (OnnxRunner: `RunOptions.edgePatches`):
 *  - `edges:mask` float32 [batch, receivers, senders] (edgeReceiverIndex / edgeSenderIndex); entries where the sender
 *    is not upstream of the receiver must be 0.
 *  - `edges:source_row` int64 [batch]: the row of the sources each batch row reads its removed senders from.
 *  - `edges:source:{hook}` float32 [sources, pos, …] for each edgeSourceHooks(cfg) hook: the source runs' sender values
 *    (blocks.0.hook_resid_pre for the embedding, attn.hook_z per layer, hook_mlp_out per layer).
 * In such a graph `blocks.{L−1}.hook_resid_post` is the logits' input (with its removed edges applied), ln1's hooks
 * do not exist (each receiver has its own norm) and hook_result cannot be intervened (senders are z·W_O).
 */

export interface EdgePatches {
  /** [batch, edgeReceiverCount, edgeSenderCount], row-major; 1 = edge removed (fractions interpolate). */
  mask: Float32Array;
  /** Per batch row, the index of its source run. */
  sourceRow: ArrayLike<number>;
  /** The source runs' values of edgeSourceHooks(cfg), each [sources, pos, …] (the batch's length). */
  sources: Map<HookName, Tensor>;
}

export const EDGE_MASK_INPUT = 'edges:mask';
export const EDGE_SOURCE_ROW_INPUT = 'edges:source_row';
export const edgeSourceInput = (hook: HookName) => `edges:source:${hook}`;

/** Senders per layer: its heads, then its MLP (none in attention-only models). */
function sendersPerLayer(cfg: ModelConfig): number {
  return cfg.n_heads + (cfg.attn_only ? 0 : 1);
}

/** Receivers per layer: query heads, key heads, value heads, then the MLP. */
function receiversPerLayer(cfg: ModelConfig): number {
  return cfg.n_heads + 2 * cfg.n_key_value_heads + (cfg.attn_only ? 0 : 1);
}

export function edgeSenderCount(cfg: ModelConfig): number {
  return 1 + cfg.n_layers * sendersPerLayer(cfg);
}

export function edgeReceiverCount(cfg: ModelConfig): number {
  return cfg.n_layers * receiversPerLayer(cfg) + 1;
}

export type EdgeSender = { kind: 'embed' } | { kind: 'head'; layer: number; head: number } | { kind: 'mlp'; layer: number };
export type EdgeReceiver = { kind: 'q' | 'k' | 'v'; layer: number; head: number } | { kind: 'mlp'; layer: number } | { kind: 'logits' };

/** A sender's column in the mask: the embedding 0, then per layer its heads and its MLP. */
export function edgeSenderIndex(cfg: ModelConfig, s: EdgeSender): number {
  if (s.kind === 'embed') return 0;
  const base = 1 + s.layer * sendersPerLayer(cfg);
  return s.kind === 'head' ? base + s.head : base + cfg.n_heads;
}

/** A receiver's row in the mask: per layer q heads, k heads, v heads (key/value heads), MLP; the logits last. */
export function edgeReceiverIndex(cfg: ModelConfig, r: EdgeReceiver): number {
  if (r.kind === 'logits') return cfg.n_layers * receiversPerLayer(cfg);
  const base = r.layer * receiversPerLayer(cfg);
  const { n_heads: H, n_key_value_heads: Hkv } = cfg;
  if (r.kind === 'q') return base + r.head;
  if (r.kind === 'k') return base + H + r.head;
  if (r.kind === 'v') return base + H + Hkv + r.head;
  return base + H + 2 * Hkv;
}

/** Processing stage: the embedding −1, attention of layer l 2l, its MLP 2l + 1, the logits 2L. */
export function senderStage(s: EdgeSender): number {
  return s.kind === 'embed' ? -1 : s.kind === 'head' ? 2 * s.layer : 2 * s.layer + 1;
}

/** The stage a receiver reads at: a sender feeds it when senderStage(s) < receiverStage(r). */
export function receiverStage(cfg: ModelConfig, r: EdgeReceiver): number {
  if (r.kind === 'logits') return 2 * cfg.n_layers;
  // A parallel block's MLP reads the block's input, like its heads.
  if (r.kind === 'mlp') return cfg.parallel_attn_mlp ? 2 * r.layer : 2 * r.layer + 1;
  return 2 * r.layer;
}

/** The hooks whose source-run values an edge-patched run needs (the senders' values). */
export function edgeSourceHooks(cfg: ModelConfig): HookName[] {
  const hooks: HookName[] = ['blocks.0.hook_resid_pre'];
  for (let l = 0; l < cfg.n_layers; l++) {
    hooks.push(`blocks.${l}.attn.hook_z`);
    if (!cfg.attn_only) hooks.push(`blocks.${l}.hook_mlp_out`);
  }
  return hooks;
}

/** Every (receiver, sender) pair that is an edge, mask entries allowed to be non-zero. */
function allowedMask(cfg: ModelConfig): Uint8Array {
  const R = edgeReceiverCount(cfg);
  const S = edgeSenderCount(cfg);
  const stageOfSender = new Int32Array(S);
  stageOfSender[0] = -1;
  for (let l = 0; l < cfg.n_layers; l++) {
    for (let h = 0; h < cfg.n_heads; h++) stageOfSender[edgeSenderIndex(cfg, { kind: 'head', layer: l, head: h })] = 2 * l;
    if (!cfg.attn_only) stageOfSender[edgeSenderIndex(cfg, { kind: 'mlp', layer: l })] = 2 * l + 1;
  }
  const stageOfReceiver = new Int32Array(R);
  for (let l = 0; l < cfg.n_layers; l++) {
    for (let i = 0; i < receiversPerLayer(cfg); i++) stageOfReceiver[l * receiversPerLayer(cfg) + i] = 2 * l;
    if (!cfg.attn_only) stageOfReceiver[edgeReceiverIndex(cfg, { kind: 'mlp', layer: l })] = receiverStage(cfg, { kind: 'mlp', layer: l });
  }
  stageOfReceiver[R - 1] = 2 * cfg.n_layers;
  const out = new Uint8Array(R * S);
  for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) out[r * S + s] = stageOfSender[s] < stageOfReceiver[r] ? 1 : 0;
  return out;
}

/** Checks an EdgePatches value against the batch; the error names what is wrong (shape, source row, non-edge entry). */
export function checkEdgePatches(cfg: ModelConfig, e: EdgePatches, batch: number, seqLen: number): { sources: number } {
  const R = edgeReceiverCount(cfg);
  const S = edgeSenderCount(cfg);
  if (!(e.mask instanceof Float32Array) || e.mask.length !== batch * R * S) {
    throw new Error(`edge patches: mask must be a Float32Array of [${batch}, ${R}, ${S}] (batch, receivers, senders)`);
  }
  const allowed = allowedMask(cfg);
  for (let i = 0; i < e.mask.length; i++) {
    const v = e.mask[i];
    if (v !== 0 && !allowed[i % (R * S)]) {
      const rs = i % (R * S);
      throw new Error(
        `edge patches: mask row ${Math.floor(i / (R * S))} removes sender ${rs % S} → receiver ${Math.floor(rs / S)}, not an edge`,
      );
    }
    if (!Number.isFinite(v)) throw new Error('edge patches: mask values must be finite');
  }
  let sources = -1;
  for (const hook of edgeSourceHooks(cfg)) {
    const t = e.sources.get(hook);
    if (!t) throw new Error(`edge patches: source values of ${hook} are missing`);
    if (t.shape[1] !== seqLen) throw new Error(`edge patches: sources of ${hook} have ${t.shape[1]} positions, the batch ${seqLen}`);
    if (sources >= 0 && t.shape[0] !== sources) throw new Error(`edge patches: sources disagree on their number of runs (${hook})`);
    sources = t.shape[0];
  }
  if (e.sourceRow.length !== batch) throw new Error(`edge patches: sourceRow needs one entry per batch row (${batch})`);
  for (let i = 0; i < batch; i++) {
    const r = e.sourceRow[i];
    if (!Number.isInteger(r) || r < 0 || r >= sources) throw new Error(`edge patches: source row ${r} is not in 0..${sources - 1}`);
  }
  return { sources };
}
