/**
 * Attention patterns of one layer's heads on a visitor's text, through live inference: what the attention
 * endpoint and the viewer's custom-text box show.
 */
import { liveForward, type LiveForwardInput } from './index';

export interface LiveHeadPattern {
  head: number;
  /** Causal rows: row q holds attention from destination q to sources 0..q (q + 1 values), rounded to 1e-5. */
  rows: number[][];
}

export interface LiveAttention {
  modelSlug: string;
  layer: number;
  tokenIds: number[];
  /** Raw vocabulary pieces, BOS first. */
  tokens: string[];
  heads: LiveHeadPattern[];
}

export interface LiveAttentionInput extends Omit<LiveForwardInput, 'hooks'> {
  layer: number;
  /** One head, or every head of the layer when omitted. */
  head?: number;
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

export async function liveHeadAttention(input: LiveAttentionInput): Promise<LiveAttention> {
  const hook = `blocks.${input.layer}.attn.hook_pattern`;
  const result = await liveForward({ ...input, hooks: [hook] });
  const { shape, data } = result.activations[hook];
  const [, nHeads, seq] = shape;
  const heads = input.head === undefined ? Array.from({ length: nHeads }, (_, h) => h) : [input.head];
  return {
    modelSlug: result.modelSlug,
    layer: input.layer,
    tokenIds: result.tokenIds,
    tokens: result.tokens,
    heads: heads.map((head) => ({
      head,
      rows: Array.from({ length: seq }, (_, q) => {
        const base = (head * seq + q) * seq;
        // A plain loop: Array.from with a map function was half the time of an all-heads request.
        const row = new Array<number>(q + 1);
        for (let k = 0; k <= q; k++) row[k] = round(data[base + k]);
        return row;
      }),
    })),
  };
}
