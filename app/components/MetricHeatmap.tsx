'use client';

/**
 * Layer × head heatmap of one metric. For a small model the cells are SVG links rendered on the server (so the
 * map reads, and links, without JavaScript; each cell has a <title> tooltip); for a big one (lib/api/heatmap-view.ts)
 * the cells are one pixelated image of the run, so the page stays small, and clicking a cell opens its head with
 * JavaScript (the head table links every head without it). With JavaScript, d3 draws the hover layer on top: a
 * crosshair over the head's layer and column and a tooltip.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useRouter } from 'next/navigation';
import { pointer, select } from 'd3';
import { heatmapStats, type Grid, type HeatmapStats } from '@/lib/api/heatmap-view';
import { formatMetricValue } from '@/lib/format/numbers';
import { metricColorScale } from './color-scale';
import { ColorLegend } from './ColorLegend';
import { useHydrated } from './use-hydrated';
import { rovingGridKeyDown } from './roving-grid';
import { heatmapDomain, useHeatmapScale } from './heatmap-scale';

export interface MetricHeatmapProps {
  metric: { id: string; title: string; summary: string; range: [number, number] };
  /** grid[layer][head]; null where the run has no value. Given for small models: one SVG link per cell. */
  grid?: Grid;
  /** Instead of `grid`, for big models: the cells as images (the metric's range, and stretched to the values). */
  image?: { full: string; stretched: string; nLayers: number; nHeads: number; stats: HeatmapStats | null };
  /** Cell links are `${headHrefPrefix}${layer}.${head}`. */
  headHrefPrefix: string;
  /** Head to outline (e.g. the head whose page this is). */
  highlight?: { layer: number; head: number };
  /** Target width of the cell area in px. */
  width?: number;
}

const MARGIN = { top: 30, right: 8, bottom: 8, left: 40 };

export function cellSize(nHeads: number, nLayers: number, width: number): number {
  const byWidth = Math.floor(width / Math.max(1, nHeads));
  const byHeight = Math.floor(420 / Math.max(1, nLayers));
  return Math.max(6, Math.min(40, byWidth, Math.max(byHeight, 10)));
}

export function MetricHeatmap({ metric, grid, image, headHrefPrefix, highlight, width = 320 }: MetricHeatmapProps) {
  const nLayers = grid ? grid.length : (image?.nLayers ?? 0);
  const nHeads = grid ? (grid[0]?.length ?? 0) : (image?.nHeads ?? 0);
  const cell = cellSize(nHeads, nLayers, width);
  const innerW = cell * nHeads;
  const innerH = cell * nLayers;
  const stats = useMemo(() => (grid ? heatmapStats(grid) : (image?.stats ?? null)), [grid, image]);
  // One site-wide, remembered choice (heatmap-scale.ts): the metric's range (comparable across models) or this
  // model's values; "auto" stretches maps whose values fill little of the range, which drew blank otherwise.
  const [mode, setMode] = useHeatmapScale();
  const ready = useHydrated();
  const { domain, stretched } = heatmapDomain(mode, metric.range, stats);
  const color = metricColorScale(domain);
  // Image heatmaps are the big models': a few axis labels each (a page has one heatmap per metric).
  const labelEvery = Math.max(cell >= 14 ? 1 : Math.ceil(14 / cell), image ? Math.ceil(Math.max(nLayers, nHeads) / 8) : 1);
  const router = useRouter();
  const svgRef = useRef<SVGSVGElement>(null);
  const overlayRef = useRef<SVGGElement>(null);

  useEffect(() => {
    const svg = svgRef.current;
    const overlay = overlayRef.current;
    if (!svg || !overlay) return;
    const g = select(overlay);
    const cells = select(svg).select<SVGGElement>('g.hm-cells');

    const clear = () => g.selectAll('*').remove();
    const show = (layer: number, head: number) => {
      clear();
      const v = grid ? (grid[layer]?.[head] ?? null) : undefined;
      // Crosshair: the head's layer row and head column, outlined.
      g.append('rect')
        .attr('x', 0)
        .attr('y', layer * cell)
        .attr('width', innerW)
        .attr('height', cell)
        .attr('fill', 'none')
        .attr('stroke', '#1f2328')
        .attr('stroke-opacity', 0.35);
      g.append('rect')
        .attr('x', head * cell)
        .attr('y', 0)
        .attr('width', cell)
        .attr('height', innerH)
        .attr('fill', 'none')
        .attr('stroke', '#1f2328')
        .attr('stroke-opacity', 0.35);
      const label = v === undefined ? `L${layer}H${head}` : `L${layer}H${head}  ${formatMetricValue(v)}`;
      const tip = g.append('g').attr('class', 'hm-tooltip');
      const text = tip.append('text').attr('x', 6).attr('y', 14).text(label);
      const textWidth = (text.node() as SVGTextElement).getComputedTextLength?.() || label.length * 6.5;
      const boxW = textWidth + 12;
      tip.insert('rect', 'text').attr('width', boxW).attr('height', 20).attr('rx', 3);
      // Keep the tooltip inside the map: left of the cell when near the right edge.
      const x = (head + 1) * cell + boxW + 4 > innerW ? head * cell - boxW - 4 : (head + 1) * cell + 4;
      const y = Math.max(0, Math.min(innerH - 20, layer * cell + cell / 2 - 10));
      tip.attr('transform', `translate(${Math.max(-MARGIN.left, x)},${y})`);
    };

    cells.on('pointermove', (event: PointerEvent) => {
      const [px, py] = pointer(event, cells.node());
      const head = Math.floor(px / cell);
      const layer = Math.floor(py / cell);
      if (head >= 0 && head < nHeads && layer >= 0 && layer < nLayers) show(layer, head);
    });
    cells.on('pointerleave', clear);
    // Image cells are not links: a click opens the head under the pointer.
    if (!grid) {
      cells.on('click', (event: MouseEvent) => {
        const [px, py] = pointer(event, cells.node());
        const head = Math.floor(px / cell);
        const layer = Math.floor(py / cell);
        if (head >= 0 && head < nHeads && layer >= 0 && layer < nLayers) router.push(`${headHrefPrefix}${layer}.${head}`);
      });
    }
    cells.on('focusin', (event: FocusEvent) => {
      const a = (event.target as Element).closest('a[data-layer]');
      if (a) show(Number(a.getAttribute('data-layer')), Number(a.getAttribute('data-head')));
    });
    cells.on('focusout', clear);
    return () => {
      cells.on('pointermove', null).on('pointerleave', null).on('focusin', null).on('focusout', null).on('click', null);
      clear();
    };
  }, [grid, cell, innerW, innerH, nHeads, nLayers, headHrefPrefix, router]);

  return (
    <figure className="heatmap" data-testid={`heatmap-${metric.id}`} aria-labelledby={`heatmap-title-${metric.id}`}>
      <div className="heatmap-head">
        <div className="heatmap-title" id={`heatmap-title-${metric.id}`}>
          {metric.title}
        </div>
        <span className="scale-toggle" role="group" aria-label="Colour scale (applies to every map)" data-ready={ready ? '' : undefined}>
          <button
            type="button"
            aria-pressed={!stretched}
            onClick={() => setMode('full')}
            title="Colours over the metric's full range: comparable across models"
          >
            full range
          </button>
          <button
            type="button"
            aria-pressed={stretched}
            onClick={() => setMode('model')}
            title="Colours stretched over this model's values"
          >
            this model
          </button>
        </span>
      </div>
      {stats ? (
        <div className="heatmap-max small muted">
          highest:{' '}
          <a href={`${headHrefPrefix}${stats.top.layer}.${stats.top.head}`}>
            L{stats.top.layer}H{stats.top.head}
          </a>{' '}
          = {formatMetricValue(stats.hi)}
        </div>
      ) : null}
      <svg
        ref={svgRef}
        width={innerW + MARGIN.left + MARGIN.right}
        height={innerH + MARGIN.top + MARGIN.bottom}
        viewBox={`0 0 ${innerW + MARGIN.left + MARGIN.right} ${innerH + MARGIN.top + MARGIN.bottom}`}
        role="img"
        aria-label={`${metric.title} for each head, layers as rows and heads as columns`}
      >
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <text className="axis-title" x={innerW / 2} y={-18} textAnchor="middle">
            head
          </text>
          {Array.from({ length: nHeads }, (_, h) =>
            h % labelEvery === 0 ? (
              <text key={h} className="axis-label" x={h * cell + cell / 2} y={-5} textAnchor="middle">
                {h}
              </text>
            ) : null,
          )}
          <text className="axis-title" transform={`translate(${-28},${innerH / 2}) rotate(-90)`} textAnchor="middle">
            layer
          </text>
          {Array.from({ length: nLayers }, (_, l) =>
            l % labelEvery === 0 ? (
              <text key={l} className="axis-label" x={-6} y={l * cell + cell / 2} dy="0.35em" textAnchor="end">
                {l}
              </text>
            ) : null,
          )}
          {/* One tab stop for the map (the highlighted head, else L0H0); arrow keys move between cells. */}
          <g className={grid ? 'hm-cells' : 'hm-cells hm-image'} onKeyDown={rovingGridKeyDown}>
            {image ? (
              <image
                href={stretched ? image.stretched : image.full}
                width={innerW}
                height={innerH}
                preserveAspectRatio="none"
                style={{ imageRendering: 'pixelated' }}
                data-testid="heatmap-image"
              />
            ) : null}
            {grid?.map((row, l) =>
              row.map((v, h) => (
                <a
                  key={`${l}.${h}`}
                  href={`${headHrefPrefix}${l}.${h}`}
                  data-layer={l}
                  data-head={h}
                  data-row={l}
                  data-col={h}
                  tabIndex={(highlight ? highlight.layer === l && highlight.head === h : l === 0 && h === 0) ? 0 : -1}
                  aria-label={`L${l}H${h}: ${formatMetricValue(v)}`}
                >
                  <title>{`L${l}H${h}: ${formatMetricValue(v)}`}</title>
                  <rect
                    x={h * cell}
                    y={l * cell}
                    width={cell - 1}
                    height={cell - 1}
                    fill={v === null ? '#f1f2f4' : color(v)}
                    rx={cell >= 14 ? 2 : 0}
                  />
                </a>
              )),
            )}
          </g>
          {highlight ? (
            <rect
              x={highlight.head * cell - 1.5}
              y={highlight.layer * cell - 1.5}
              width={cell + 2}
              height={cell + 2}
              fill="none"
              stroke="#d33f49"
              strokeWidth={2}
              pointerEvents="none"
            />
          ) : null}
          <g ref={overlayRef} pointerEvents="none" />
        </g>
      </svg>
      <ColorLegend range={domain} width={Math.max(160, Math.min(innerW + MARGIN.left, 260))} />
      <figcaption>{metric.summary}</figcaption>
    </figure>
  );
}
