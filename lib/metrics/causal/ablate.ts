import type { CanonicalModel, WeightMap } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';

/**
 * Head ablation — the one switch point for every causal check in headwiki. Today it edits weights
 * (a new CanonicalModel whose changed tensors are copies; the rest are shared):
 *  - zero-ablation of head h in layer l: W_O[h] = 0, so hook_result of the head is 0;
 *  - mean-ablation: W_O[h] = 0 and b_O += mean(z_h) · W_O[h], so the head always writes its mean output
 *    over a reference input (TransformerLens' mean ablation of hook_z).
 * When the engine takes interventions as graph inputs (lib/engine/interventions.ts) this module can
 * switch to them without its callers changing.
 */
export type AblationKind = 'zero' | 'mean';

export interface HeadAblation {
  layer: number;
  head: number;
  kind: AblationKind;
  /** mean-ablation: the head's mean hook_z [d_head] over the reference input. */
  meanZ?: Float64Array;
}

export function ablateHeads(model: CanonicalModel, ablations: readonly HeadAblation[]): CanonicalModel {
  const { cfg } = model;
  const weights: WeightMap = new Map(model.weights);
  const copied = new Set<string>();
  const writable = (name: string, shape: number[]) => {
    if (!copied.has(name)) {
      const t = weights.get(name);
      weights.set(name, t ? { shape: t.shape, data: t.data.slice() } : { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
      copied.add(name);
    }
    return weights.get(name)!.data;
  };
  for (const a of ablations) {
    if (
      !Number.isInteger(a.layer) ||
      a.layer < 0 ||
      a.layer >= cfg.n_layers ||
      !Number.isInteger(a.head) ||
      a.head < 0 ||
      a.head >= cfg.n_heads
    ) {
      throw new Error(
        `ablateHeads: L${a.layer}H${a.head} is not a head of ${cfg.model_name} (${cfg.n_layers} layers × ${cfg.n_heads} heads)`,
      );
    }
    const { d_head: dh, d_model: d } = cfg;
    const WO = writable(`blocks.${a.layer}.attn.W_O`, [cfg.n_heads, dh, d]);
    const slice = WO.subarray(a.head * dh * d, (a.head + 1) * dh * d);
    if (a.kind === 'mean') {
      if (!a.meanZ || a.meanZ.length !== dh)
        throw new Error(`ablateHeads: mean-ablation of L${a.layer}H${a.head} needs meanZ of length d_head ${dh}`);
      const bO = writable(`blocks.${a.layer}.attn.b_O`, [d]);
      for (let c = 0; c < dh; c++) for (let i = 0; i < d; i++) bO[i] += a.meanZ[c] * slice[c * d + i];
    } else if (a.kind !== 'zero') {
      throw new Error(`ablateHeads: unknown ablation kind "${String(a.kind)}"`);
    }
    slice.fill(0);
  }
  return { ...model, weights };
}

/** Mean of every head's hook_z over all positions of all sequences: meanZ[layer][head] (float64). */
export async function meanHeadOutputs(
  runner: ForwardRunner,
  model: CanonicalModel,
  sequences: readonly number[][],
): Promise<Float64Array[][]> {
  const { cfg } = model;
  const sums = Array.from({ length: cfg.n_layers }, () => Array.from({ length: cfg.n_heads }, () => new Float64Array(cfg.d_head)));
  const hooks = Array.from({ length: cfg.n_layers }, (_, l) => `blocks.${l}.attn.hook_z`);
  let positions = 0;
  const byLength = new Map<number, number[][]>();
  for (const s of sequences) byLength.set(s.length, [...(byLength.get(s.length) ?? []), s]);
  for (const group of byLength.values()) {
    const cache = await runner.run(group, hooks);
    positions += group.length * group[0].length;
    for (let l = 0; l < cfg.n_layers; l++) {
      const z = cache.get(hooks[l])!.data; // [batch, pos, head, d_head]
      for (let i = 0; i < z.length; i++) {
        const c = i % cfg.d_head;
        const h = Math.floor(i / cfg.d_head) % cfg.n_heads;
        sums[l][h][c] += z[i];
      }
    }
  }
  return sums.map((row) => row.map((s) => s.map((v) => v / positions)));
}
