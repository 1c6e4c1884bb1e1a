/**
 * What each heatmap of a page draws its cells from (lib/api/heatmap-view.ts): the grid itself (SVG cells) while
 * the page's heatmaps stay under DOM_HEATMAP_CELLS cells together, else the run's pinned PNG images.
 */
import { metricGrid, type HeadRow } from '@/lib/api/head-rows';
import { drawsDomCells, heatmapImagePath, heatmapStats } from '@/lib/api/heatmap-view';
import type { MetricHeatmapProps } from './MetricHeatmap';

export function heatmapCells(
  metricIds: string[],
  rows: readonly HeadRow[],
  dims: { nLayers: number; nHeads: number },
  run: { modelSlug: string; runId: string },
): Pick<MetricHeatmapProps, 'grid' | 'image'>[] {
  const dom = drawsDomCells(dims.nLayers * dims.nHeads, metricIds.length);
  return metricIds.map((id) => {
    const grid = metricGrid(rows, id, dims);
    if (dom) return { grid };
    return {
      image: {
        full: heatmapImagePath(run.modelSlug, run.runId, id, false),
        stretched: heatmapImagePath(run.modelSlug, run.runId, id, true),
        nLayers: dims.nLayers,
        nHeads: dims.nHeads,
        stats: heatmapStats(grid),
      },
    };
  });
}
