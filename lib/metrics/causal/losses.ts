import type { ForwardRunner } from '../../engine/types';

/**
 * Next-token cross-entropy (nats) averaged over chosen positions: `positions(tokens)` lists the positions
 * p whose prediction of tokens[p + 1] counts. Log-softmax in float64.
 */
export async function meanNextTokenLoss(
  runner: ForwardRunner,
  sequences: readonly number[][],
  positions: (tokens: readonly number[]) => number[],
): Promise<number> {
  let sum = 0;
  let count = 0;
  const byLength = new Map<number, number[][]>();
  for (const s of sequences) byLength.set(s.length, [...(byLength.get(s.length) ?? []), s]);
  for (const group of byLength.values()) {
    const logits = (await runner.run(group, ['logits'])).get('logits')!;
    const [, seq, vocab] = logits.shape;
    group.forEach((tokens, b) => {
      for (const p of positions(tokens)) {
        const row = logits.data.subarray((b * seq + p) * vocab, (b * seq + p + 1) * vocab);
        let max = -Infinity;
        for (const v of row) if (v > max) max = v;
        let z = 0;
        for (const v of row) z += Math.exp(v - max);
        sum += max + Math.log(z) - row[tokens[p + 1]];
        count++;
      }
    });
  }
  return count === 0 ? 0 : sum / count;
}

/** Positions of the second copy of [BOS] + r + r whose next token is predictable by induction: d ∈ [n+1, 2n−1]. */
export const secondCopyPositions = (n: number) => () => Array.from({ length: n - 1 }, (_, i) => n + 1 + i);

/** Every position but the last. */
export const allButLast = (tokens: readonly number[]) => Array.from({ length: tokens.length - 1 }, (_, i) => i);
