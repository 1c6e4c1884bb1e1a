/**
 * Colours of metric values, shared by heatmaps, legends and table bars. A metric's own range
 * fixes the domain (not the data's min and max), so colours compare across models and runs.
 * Ranges that straddle 0 (e.g. copying, [−1, 1]) get a diverging scale with white at 0.
 */
import { interpolateBlues, interpolateRdBu, scaleDiverging, scaleSequential } from 'd3';

export interface MetricColorScale {
  (value: number): string;
  domain: [number, number];
  diverging: boolean;
}

export function metricColorScale(range: [number, number]): MetricColorScale {
  const [lo, hi] = Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[1] > range[0] ? range : [0, 1];
  const diverging = lo < 0 && hi > 0;
  const base = diverging
    ? scaleDiverging((t: number) => interpolateRdBu(1 - t))
        .domain([lo, 0, hi])
        .clamp(true)
    : // Start slightly above white so that a 0 cell is still visible against the page.
      scaleSequential((t: number) => interpolateBlues(0.04 + 0.96 * t))
        .domain([lo, hi])
        .clamp(true);
  const scale = ((v: number) => base(v)) as MetricColorScale;
  scale.domain = [lo, hi];
  scale.diverging = diverging;
  return scale;
}

/** Text colour readable on top of a scale colour. */
export function inkFor(background: string): string {
  const m = /rgb\((\d+), ?(\d+), ?(\d+)\)/.exec(background);
  if (!m) return '#111';
  const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return 0.299 * r + 0.587 * g + 0.114 * b < 140 ? '#fff' : '#111';
}
