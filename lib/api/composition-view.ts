/**
 * How the composition page draws its heads × heads matrices: SVG cells (links, tooltips) while the three kinds
 * together stay under COMPOSITION_DOM_CELLS cells, else one PNG per kind (one pixel per head pair, rows the writing
 * head, columns the reading head), served from the run's pinned path and cached forever.
 */

/** Cells of the three matrices together drawn as SVG elements before images take over. */
export const COMPOSITION_DOM_CELLS = 2000;

/** Earlier → later head pairs of one kind. */
export function compositionPairs(nLayers: number, nHeads: number): number {
  return ((nHeads * nHeads * nLayers * (nLayers - 1)) / 2) | 0;
}

export function drawsCompositionCells(nLayers: number, nHeads: number): boolean {
  return 3 * compositionPairs(nLayers, nHeads) <= COMPOSITION_DOM_CELLS;
}

/** `/runs/{runId}/models/{model}/composition/{kind}.png`. */
export function compositionImagePath(modelSlug: string, runId: string, kind: 'q' | 'k' | 'v'): string {
  return `/runs/${encodeURIComponent(runId)}/models/${encodeURIComponent(modelSlug)}/composition/${kind}.png`;
}

/** Hatched (within 2σ of random matrices) and empty (no pair: same or later layer) pixels of the image. */
export const COMPOSITION_HATCH = '#e4e4e4';
export const COMPOSITION_EMPTY = '#ffffff';
