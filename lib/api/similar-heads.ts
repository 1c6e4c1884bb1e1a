/**
 * "Similar heads": the nearest heads to one head by their metric vectors, each metric standardised
 * over the run's heads (z-scores, so a metric in tokens² does not drown one in [0, 1]). Metrics with
 * no spread (every head equal) carry no information and are left out.
 */
import type { HeadRow } from './head-rows';

export interface SimilarHead {
  layer: number;
  head: number;
  name: string;
  distance: number;
}

export function similarHeads(
  rows: readonly HeadRow[],
  metricIds: readonly string[],
  target: { layer: number; head: number },
  k = 5,
): SimilarHead[] {
  const me = rows.find((r) => r.layer === target.layer && r.head === target.head);
  if (!me) return [];
  const stats = metricIds
    .map((id) => {
      const values = rows.map((r) => r.values[id]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length));
      return { id, mean, std };
    })
    .filter((s) => s.std > 0 && typeof me.values[s.id] === 'number');
  if (stats.length === 0) return [];
  const z = (r: HeadRow, s: (typeof stats)[number]) => ((r.values[s.id] as number) - s.mean) / s.std;
  return rows
    .filter((r) => r !== me)
    .map((r) => {
      let sq = 0;
      let used = 0;
      for (const s of stats) {
        if (typeof r.values[s.id] !== 'number') continue;
        sq += (z(r, s) - z(me, s)) ** 2;
        used++;
      }
      // Root mean square over the metrics both heads have: comparable when some values are missing.
      return { layer: r.layer, head: r.head, name: r.name, distance: used === 0 ? Infinity : Math.sqrt(sq / used) };
    })
    .filter((r) => Number.isFinite(r.distance))
    .sort((a, b) => a.distance - b.distance || a.layer - b.layer || a.head - b.head)
    .slice(0, k);
}
