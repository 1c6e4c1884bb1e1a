/** Server side of lib/api/heatmap-view.ts: a heatmap as a PNG, one pixel per head (node:zlib, so never in a client bundle). */
import { encodeRgbPng, parseColor } from '@/lib/format/png';
import { MISSING_CELL, type Grid } from './heatmap-view';

/** The heatmap as a PNG, layers as rows, heads as columns, `color` per value (MISSING_CELL where none). */
export function heatmapPng(grid: Grid, color: (v: number) => string): Buffer {
  const nLayers = grid.length;
  const nHeads = grid[0]?.length ?? 0;
  const rgb = new Uint8Array(nLayers * nHeads * 3);
  const missing = parseColor(MISSING_CELL);
  grid.forEach((row, l) =>
    row.forEach((v, h) => rgb.set(v === null || Number.isNaN(v) ? missing : parseColor(color(v)), (l * nHeads + h) * 3)),
  );
  return encodeRgbPng(nHeads, nLayers, rgb);
}
