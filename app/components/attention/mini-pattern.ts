/**
 * A head's attention pattern as a few SVG paths (one per shade), for the grid of every head on a text: drawing each
 * cell as its own <rect> would put ~10⁵ elements on the page for a 5 × 8 model. Pure, server-side.
 */

/** Shades drawn; weights below the first are left blank (invisible at this size). */
export const LEVELS = [0.05, 0.15, 0.3, 0.5, 0.7, 0.9] as const;

/** `rows[q][k]` (k ≤ q) → one path of unit squares per shade level, in a `cell`-sized grid. */
export function patternPaths(rows: readonly (readonly number[])[], cell: number): { opacity: number; d: string }[] {
  const parts: string[][] = LEVELS.map(() => []);
  rows.forEach((row, q) => {
    row.forEach((w, k) => {
      let level = -1;
      for (let i = 0; i < LEVELS.length && w >= LEVELS[i]; i++) level = i;
      if (level >= 0) parts[level].push(`M${k * cell} ${q * cell}h${cell}v${cell}h${-cell}z`);
    });
  });
  return parts.map((p, i) => ({ opacity: Math.min(1, LEVELS[i] + 0.1), d: p.join('') })).filter((p) => p.d.length > 0);
}
