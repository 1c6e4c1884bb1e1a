import type { ForwardRunner } from '../../engine/types';
import type { CircuitModel, PromptPair } from '../types';

/**
 * Mean attention weight [layer][head] from one named position to a set of key positions, over clean prompts (one
 * forward per token length). `to` names a position set, or computes one from the pair (e.g. S1 + 1).
 */
export async function meanAttention(
  runner: ForwardRunner,
  model: CircuitModel,
  pairs: PromptPair[],
  from: string,
  to: string | ((pair: PromptPair) => number[]),
): Promise<number[][]> {
  const { n_layers: L, n_heads: H } = model.cfg;
  const hooks = Array.from({ length: L }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const sums = Array.from({ length: L }, () => new Float64Array(H));
  const byLength = new Map<number, PromptPair[]>();
  for (const p of pairs) byLength.set(p.clean.length, [...(byLength.get(p.clean.length) ?? []), p]);
  for (const group of byLength.values()) {
    const cache = await runner.run(
      group.map((p) => p.clean),
      hooks,
    );
    group.forEach((pair, b) => {
      const q = pair.positions[from]?.[0];
      const keys = typeof to === 'string' ? pair.positions[to] : to(pair);
      if (q === undefined || !keys) return;
      for (let l = 0; l < L; l++) {
        const t = cache.get(hooks[l])!;
        const T = t.shape[2];
        for (let h = 0; h < H; h++) for (const k of keys) if (k >= 0 && k < T) sums[l][h] += t.data[((b * H + h) * T + q) * T + k];
      }
    });
  }
  return sums.map((row) => Array.from(row, (s) => s / pairs.length));
}
