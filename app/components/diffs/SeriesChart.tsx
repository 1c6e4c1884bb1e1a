/**
 * Values over training steps, one line per series (a head, or the loss), drawn with d3's scales and line
 * generator into SVG on the server: readable without JavaScript, each point titled with its value.
 * `threshold` draws a dashed rule (e.g. the induction label's threshold).
 */
import { line, scaleLinear } from 'd3';

export interface ChartLine {
  label: string;
  values: (number | null)[];
  /** Emphasised (drawn last, thicker, named in the legend). */
  highlight?: boolean;
}

const PALETTE = ['#1f5fbf', '#dc2626', '#16a34a', '#7c3aed', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];

export function SeriesChart({
  title,
  steps,
  lines,
  threshold,
  caption,
  testId,
  width = 420,
  height = 200,
}: {
  title: string;
  steps: number[];
  lines: ChartLine[];
  threshold?: number;
  caption?: string;
  testId: string;
  width?: number;
  height?: number;
}) {
  const margin = { left: 44, right: 10, top: 10, bottom: 26 };
  const values = lines.flatMap((l) => l.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...values, threshold ?? Infinity);
  const hi = Math.max(...values, threshold ?? -Infinity, lo + 1e-9);
  const x = scaleLinear()
    .domain([steps[0], steps[steps.length - 1] === steps[0] ? steps[0] + 1 : steps[steps.length - 1]])
    .range([margin.left, width - margin.right]);
  const y = scaleLinear()
    .domain([lo, hi])
    .nice()
    .range([height - margin.bottom, margin.top]);
  const path = line<number | null>()
    .defined((v) => v !== null && Number.isFinite(v))
    .x((_, i) => x(steps[i]))
    .y((v) => y(v!));
  const ordered = [...lines.map((l, i) => ({ ...l, color: PALETTE[i % PALETTE.length] }))].sort(
    (a, b) => Number(!!a.highlight) - Number(!!b.highlight),
  );
  const named = ordered.filter((l) => l.highlight || lines.length <= 8);
  return (
    <figure className="series-chart" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>
        {caption ? <span className="small muted"> — {caption}</span> : null}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`${title} over training steps`}>
        {y.ticks(4).map((t) => (
          <g key={t}>
            <line x1={margin.left} x2={width - margin.right} y1={y(t)} y2={y(t)} stroke="#e3e5e8" />
            <text x={margin.left - 4} y={y(t) + 3} fontSize={10} fill="#6b7280" textAnchor="end">
              {Number(t.toPrecision(3))}
            </text>
          </g>
        ))}
        {steps.map((s) => (
          <text key={s} x={x(s)} y={height - 8} fontSize={10} fill="#6b7280" textAnchor="middle">
            {s}
          </text>
        ))}
        {threshold !== undefined ? (
          <line x1={margin.left} x2={width - margin.right} y1={y(threshold)} y2={y(threshold)} stroke="#6b7280" strokeDasharray="4 3" />
        ) : null}
        {ordered.map((l) => (
          <g key={l.label}>
            <path
              d={path(l.values) ?? undefined}
              fill="none"
              stroke={l.highlight || lines.length <= 8 ? l.color : '#c9cdd2'}
              strokeWidth={l.highlight ? 2.5 : 1.5}
            >
              <title>{l.label}</title>
            </path>
            {l.values.map((v, i) =>
              v === null || !Number.isFinite(v) ? null : (
                <circle
                  key={i}
                  cx={x(steps[i])}
                  cy={y(v)}
                  r={l.highlight ? 3 : 2}
                  fill={l.highlight || lines.length <= 8 ? l.color : '#c9cdd2'}
                >
                  <title>{`${l.label} at step ${steps[i]}: ${v.toPrecision(4)}`}</title>
                </circle>
              ),
            )}
          </g>
        ))}
      </svg>
      {named.length > 0 ? (
        <p className="small">
          {named.map((l) => (
            <span key={l.label} style={{ display: 'inline-block', marginRight: '0.8rem', whiteSpace: 'nowrap' }}>
              <span aria-hidden="true" style={{ color: l.color }}>
                ●
              </span>{' '}
              {l.label}
            </span>
          ))}
        </p>
      ) : null}
    </figure>
  );
}
