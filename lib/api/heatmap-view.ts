/**
 * How a page draws its metric heatmaps. A small model's cells are SVG links (tooltips, keyboard focus, links
 * without JavaScript); past `DOM_HEATMAP_CELLS` cells on one page (every heatmap together) each heatmap is one
 * PNG (one pixel per head, ./heatmap-image.ts) served from the run's pinned path and cached forever, so a
 * 1,200-head model's page weighs what a 40-head one does.
 */
/** Cells across all of a page's heatmaps drawn as SVG elements (three elements each) before images take over. */
export const DOM_HEATMAP_CELLS = 1000;

export type Grid = (number | null)[][];

export interface HeatmapStats {
  lo: number;
  hi: number;
  top: { layer: number; head: number };
}

/** Smallest and largest value present, and where the largest is; null when the grid has no value. */
export function heatmapStats(grid: Grid): HeatmapStats | null {
  let lo = Infinity;
  let hi = -Infinity;
  let top = { layer: 0, head: 0 };
  grid.forEach((row, layer) =>
    row.forEach((v, head) => {
      if (v === null || Number.isNaN(v)) return;
      if (v < lo) lo = v;
      if (v > hi) {
        hi = v;
        top = { layer, head };
      }
    }),
  );
  return Number.isFinite(lo) ? { lo, hi, top } : null;
}

/** The colour domain: the metric's own range, or ("stretched") the values present when they span something. */
export function heatmapDomain(range: [number, number], stats: HeatmapStats | null, stretched: boolean): [number, number] {
  return stretched && stats && stats.hi > stats.lo ? [stats.lo, stats.hi] : range;
}

export function drawsDomCells(cellsPerHeatmap: number, heatmaps: number): boolean {
  return cellsPerHeatmap * heatmaps <= DOM_HEATMAP_CELLS;
}

export const MISSING_CELL = '#f1f2f4';

/** `/runs/{runId}/models/{model}/heatmaps/{metric}[.stretched].png`: pinned, so it can be cached forever. */
export function heatmapImagePath(modelSlug: string, runId: string, metricId: string, stretched: boolean): string {
  return `/runs/${encodeURIComponent(runId)}/models/${encodeURIComponent(modelSlug)}/heatmaps/${metricId}${stretched ? '.stretched' : ''}.png`;
}
