/**
 * Every head's attention pattern on a visitor's text in one live forward pass (all layers' hook_pattern): the
 * head grid page (`/models/{model}/attention`).
 */
import { liveForward, type LiveForwardInput } from './index';
import { LiveError } from './errors';

/** Tokens the grid draws (BOS included): n² cells per head, for every head of the model. */
export const GRID_MAX_TOKENS = 64;

export interface LiveAllHeads {
  tokens: string[];
  /** patterns[layer][head][q][k], k ≤ q. */
  patterns: number[][][][];
}

export async function liveAllHeadsAttention(input: Omit<LiveForwardInput, 'hooks'> & { nLayers: number }): Promise<LiveAllHeads> {
  const hooks = Array.from({ length: input.nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const result = await liveForward({ ...input, hooks });
  if (result.tokens.length > GRID_MAX_TOKENS) {
    throw new LiveError('too_long', `text too long for the all-heads grid: ${result.tokens.length} tokens; it draws at most ${GRID_MAX_TOKENS} (a head page takes longer texts)`);
  }
  const patterns = hooks.map((hook) => {
    const { shape, data } = result.activations[hook];
    const [, nHeads, seq] = shape;
    return Array.from({ length: nHeads }, (_, h) =>
      Array.from({ length: seq }, (_, q) => Array.from(data.subarray((h * seq + q) * seq, (h * seq + q) * seq + q + 1))),
    );
  });
  return { tokens: result.tokens, patterns };
}
