import type { ModelConfig } from '../../models/types';
import type { HookName } from '../../engine/types';
import type { CircuitEdge } from '../types';

/**
 * The computational graph circuit discovery prunes (ACDC's, Conmy et al. 2023): senders are the embedding, every
 * head's output and every MLP's output; receivers are every head's query, key and value inputs, every MLP's input
 * and the logits. An edge sender → receiver exists when the sender is upstream (an earlier layer; the same layer's
 * heads feed its MLP unless attention and MLP run in parallel). With grouped-query attention a key/value receiver is
 * one key/value head, shared by the query heads of its group.
 */

export interface Sender {
  id: string; // 'embed', 'L2H3', 'MLP1'
  kind: 'embed' | 'head' | 'mlp';
  layer: number; // −1 for the embedding
  head: number | null;
}

export interface Receiver {
  /** Node id of the receiving head (the key/value head index for k/v), MLP, or 'logits'. */
  node: string;
  channel: CircuitEdge['channel'];
  layer: number;
  /** Head index on the hook's head axis (query head for q, key/value head for k/v). */
  head: number | null;
  /** Processing order: attention of layer l is stage 2l, its MLP 2l + 1, the logits last. */
  stage: number;
  senders: Sender[];
}

export const headId = (layer: number, head: number) => `L${layer}H${head}`;
export const mlpId = (layer: number) => `MLP${layer}`;
export const edgeKey = (from: string, r: Pick<Receiver, 'node' | 'channel'>) => `${from}>${r.node}:${r.channel}`;

export function senders(cfg: ModelConfig): Sender[] {
  const out: Sender[] = [{ id: 'embed', kind: 'embed', layer: -1, head: null }];
  for (let l = 0; l < cfg.n_layers; l++) {
    for (let h = 0; h < cfg.n_heads; h++) out.push({ id: headId(l, h), kind: 'head', layer: l, head: h });
    if (!cfg.attn_only) out.push({ id: mlpId(l), kind: 'mlp', layer: l, head: null });
  }
  return out;
}

/** Every receiver with its upstream senders, in ACDC's order: from the logits back to layer 0. */
export function receiversInReverseOrder(cfg: ModelConfig): Receiver[] {
  const all = senders(cfg);
  const stageOf = (s: Sender) => (s.kind === 'embed' ? -1 : s.kind === 'head' ? 2 * s.layer : 2 * s.layer + 1);
  const before = (stage: number) => all.filter((s) => stageOf(s) < stage);
  const out: Receiver[] = [{ node: 'logits', channel: 'logits', layer: cfg.n_layers, head: null, stage: 2 * cfg.n_layers, senders: all }];
  for (let l = cfg.n_layers - 1; l >= 0; l--) {
    if (!cfg.attn_only) {
      // A parallel block's MLP reads the block's input, not its heads.
      const stage = 2 * l + 1;
      const upstream = cfg.parallel_attn_mlp ? before(2 * l) : before(stage);
      out.push({ node: mlpId(l), channel: 'mlp_in', layer: l, head: null, stage, senders: upstream });
    }
    for (const channel of ['v', 'k', 'q'] as const) {
      const heads = channel === 'q' ? cfg.n_heads : cfg.n_key_value_heads;
      for (let h = heads - 1; h >= 0; h--)
        out.push({ node: headId(l, h), channel, layer: l, head: h, stage: 2 * l, senders: before(2 * l) });
    }
  }
  return out;
}

/** The hooks a receiver's patch is written to. */
export function receiverHooks(cfg: ModelConfig, r: Receiver): HookName[] {
  if (r.channel === 'q' || r.channel === 'k' || r.channel === 'v') return [`blocks.${r.layer}.attn.hook_${r.channel}`];
  if (r.channel === 'mlp_in')
    return cfg.gated_mlp ? [`blocks.${r.layer}.mlp.hook_pre`, `blocks.${r.layer}.mlp.hook_pre_linear`] : [`blocks.${r.layer}.mlp.hook_pre`];
  return [];
}
