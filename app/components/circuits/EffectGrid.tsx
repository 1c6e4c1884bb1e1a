/**
 * A patching result as a heatmap, server-rendered SVG (reads without JavaScript): rows × columns of normalised
 * effects on one diverging scale (red positive, blue negative, white 0; the legend says what the sign means), each
 * cell with its value as a <title> tooltip and, when the cell is big enough, in print. Head cells link to the
 * head's page.
 */
import { metricColorScale, inkFor } from '../color-scale';

export interface EffectGridProps {
  title: string;
  rowLabels: string[];
  colLabels: string[];
  /** values[row][col]; null = not measured. */
  values: (number | null)[][];
  /** A link per cell (head sweeps), or none. */
  cellHref?: (row: number, col: number) => string | null;
  testId?: string;
  /** What the colours mean for this grid (activation patching and path patching differ in sign). */
  legend: string;
}

export function EffectGrid({ title, rowLabels, colLabels, values, cellHref, testId, legend }: EffectGridProps) {
  const color = metricColorScale([-1, 1]);
  const maxLabel = Math.max(3, ...rowLabels.map((l) => l.length));
  const left = 8 + maxLabel * 7;
  const top = 16 + Math.min(90, Math.max(3, ...colLabels.map((l) => l.length)) * 6);
  const cell = Math.max(14, Math.min(44, Math.floor(560 / Math.max(1, colLabels.length))));
  const width = left + cell * colLabels.length + 4;
  const height = top + cell * rowLabels.length + 4;
  return (
    // Laid out side by side (globals.css .effect-grids): each figure as wide as its grid, its caption at least ~17rem.
    <figure className="effect-grid" data-testid={testId} style={{ flexBasis: Math.max(width, 270) }}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width, height: 'auto' }} role="img" aria-label={title}>
        {colLabels.map((l, c) => (
          <text key={`c${c}`} transform={`translate(${left + cell * (c + 0.5) + 3},${top - 4}) rotate(-60)`} fontSize={10} fill="#333">
            {l}
          </text>
        ))}
        {rowLabels.map((l, r) => (
          <text key={`r${r}`} x={left - 4} y={top + cell * (r + 0.5) + 4} textAnchor="end" fontSize={10} fill="#333">
            {l}
          </text>
        ))}
        {values.map((row, r) =>
          row.map((v, c) => {
            const fill = v === null ? '#eee' : color(v);
            const rect = (
              <g key={`${r}.${c}`}>
                <rect x={left + c * cell} y={top + r * cell} width={cell - 1} height={cell - 1} fill={fill}>
                  <title>{`${rowLabels[r]} ${colLabels[c]}: ${v === null ? 'not measured' : v.toFixed(3)}`}</title>
                </rect>
                {v !== null && cell >= 30 ? (
                  <text
                    x={left + c * cell + cell / 2}
                    y={top + r * cell + cell / 2 + 3}
                    textAnchor="middle"
                    fontSize={9}
                    fill={inkFor(fill)}
                  >
                    {v.toFixed(2)}
                  </text>
                ) : null}
              </g>
            );
            const href = cellHref?.(r, c);
            return href ? (
              <a key={`${r}.${c}`} href={href}>
                {rect}
              </a>
            ) : (
              rect
            );
          }),
        )}
      </svg>
      <figcaption className="small muted">
        {title}. {legend}
      </figcaption>
    </figure>
  );
}
