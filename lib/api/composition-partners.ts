/**
 * A head's composition partners as the head page lists them: per side, the strongest scores that stand out from the
 * random-matrix baseline (z = (score − mean) / std ≥ SIGNIFICANT_Z, the composition matrix's own cut). Scores at or
 * below the baseline are not partners — a list topped by a −2.2σ score read as if it were one.
 */
import type { CompositionBaselineValue, HeadCompositionValue } from '@/lib/db/head-composition';

/** Standard deviations above the random baseline for a score to count (CompositionMatrix hatches the rest). */
export const SIGNIFICANT_Z = 2;

export interface Partner {
  layer: number;
  head: number;
  value: number;
  /** Standard deviations above the random baseline; null without a baseline. */
  z: number | null;
}

export interface PartnerList {
  partners: Partner[];
  /** Scores on this side that were left out for not clearing the baseline. */
  hidden: number;
}

export function partnersOf(
  scores: readonly HeadCompositionValue[],
  baseline: CompositionBaselineValue | undefined,
  side: 'src' | 'dst',
  top = 3,
): PartnerList {
  const z = (v: number) => (baseline && baseline.std > 0 ? (v - baseline.mean) / baseline.std : null);
  const all = scores.map((c) => {
    const [layer, head] = side === 'src' ? [c.srcLayer, c.srcHead] : [c.dstLayer, c.dstHead];
    return { layer, head, value: c.value, z: z(c.value) };
  });
  const kept = all.filter((p) => p.z === null || p.z >= SIGNIFICANT_Z).sort((a, b) => b.value - a.value);
  return { partners: kept.slice(0, top), hidden: all.length - kept.length };
}
