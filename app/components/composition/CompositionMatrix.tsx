'use client';

/**
 * Heads × heads matrix of one composition kind: rows are the earlier (writing) heads, columns the later
 * (reading) heads, cells only where srcLayer < dstLayer. Colour: d3 sequential scale from the random
 * baseline's mean (white) to the largest score; cells within 2σ of the baseline are hatched, so what
 * stands above random matrices is what is coloured. Cells are SVG links rendered on the server; for a big
 * model (lib/api/composition-view.ts) they are one image of the run instead, whose cells name themselves on
 * hover and open the reading head on click (JavaScript; the table of strongest pairs links without it).
 */
import { rovingGridKeyDown } from '../roving-grid';
import { useMemo, useState, type MouseEvent as ReactMouseEvent } from 'react';
import { useRouter } from 'next/navigation';
import { interpolateOranges, scaleSequential } from 'd3';

export interface CompositionMatrixProps {
  kind: 'q' | 'k' | 'v';
  nLayers: number;
  nHeads: number;
  /** [srcLayer, srcHead, dstLayer, dstHead, value]: every pair, drawn as SVG cells (small models). */
  scores?: [number, number, number, number, number][];
  /** Instead of `scores`: the matrix as an image, and the highest score (the colour scale's top). */
  image?: { href: string; max: number };
  baseline: { mean: number; std: number; draws: number } | null;
  /** Head links are `${headHrefPrefix}${layer}.${head}`. */
  headHrefPrefix: string;
}

const MARGIN = { top: 44, left: 52, right: 8, bottom: 8 };

export function CompositionMatrix({ kind, nLayers, nHeads, scores, image, baseline, headHrefPrefix }: CompositionMatrixProps) {
  const n = nLayers * nHeads;
  // Image cells may be under a pixel: the image is drawn at up to 720 px, whatever the model.
  const cell = image ? Math.min(720, Math.max(n, 240)) / n : Math.max(4, Math.min(18, Math.floor(640 / Math.max(1, n))));
  const size = cell * n;
  const labelEvery = Math.ceil(24 / (cell * nHeads)); // "L47" needs ~20 px
  const router = useRouter();
  const [hover, setHover] = useState<string | null>(null);
  const max = useMemo(() => image?.max ?? (scores ?? []).reduce((m, s) => Math.max(m, s[4]), 0), [scores, image]);
  const lo = baseline ? baseline.mean : 0;
  const color = useMemo(
    () =>
      scaleSequential(interpolateOranges)
        .domain([lo, Math.max(max, lo + 1e-9)])
        .clamp(true),
    [lo, max],
  );
  const significant = (v: number) => !baseline || v > baseline.mean + 2 * baseline.std;
  const name = (l: number, h: number) => `L${l}H${h}`;
  const index = (l: number, h: number) => l * nHeads + h;
  const pairAt = (e: ReactMouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const dst = Math.floor(((e.clientX - box.left) / box.width) * n);
    const src = Math.floor(((e.clientY - box.top) / box.height) * n);
    if (dst < 0 || src < 0 || dst >= n || src >= n || Math.floor(src / nHeads) >= Math.floor(dst / nHeads)) return null;
    return { sl: Math.floor(src / nHeads), sh: src % nHeads, dl: Math.floor(dst / nHeads), dh: dst % nHeads };
  };

  return (
    <figure className="composition-matrix" data-testid={`composition-matrix-${kind}`}>
      <svg
        width={size + MARGIN.left + MARGIN.right}
        height={size + MARGIN.top + MARGIN.bottom}
        role="img"
        aria-label={`${kind.toUpperCase()}-composition between heads`}
      >
        <defs>
          <pattern id={`hatch-${kind}`} width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="4" height="4" fill="#f4f4f4" />
            <line x1="0" y1="0" x2="0" y2="4" stroke="#ccc" strokeWidth="1.5" />
          </pattern>
        </defs>
        <text x={MARGIN.left} y={12} className="axis-label">
          reading head (later layer) →
        </text>
        <text
          x={10}
          y={MARGIN.top + size / 2}
          className="axis-label"
          transform={`rotate(-90 10 ${MARGIN.top + size / 2})`}
          textAnchor="middle"
        >
          writing head ↓
        </text>
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          {Array.from({ length: nLayers }, (_, l) =>
            l % labelEvery === 0 ? (
              <g key={l}>
                <text x={(l * nHeads + nHeads / 2) * cell} y={-6} textAnchor="middle" className="axis-tick">
                  L{l}
                </text>
                <text x={-6} y={(l * nHeads + nHeads / 2) * cell} textAnchor="end" dominantBaseline="middle" className="axis-tick">
                  L{l}
                </text>
                {l > 0 && !image ? (
                  <>
                    <line x1={l * nHeads * cell} x2={l * nHeads * cell} y1={0} y2={size} stroke="#999" strokeWidth={0.5} />
                    <line y1={l * nHeads * cell} y2={l * nHeads * cell} x1={0} x2={size} stroke="#999" strokeWidth={0.5} />
                  </>
                ) : null}
              </g>
            ) : null,
          )}
          {image ? (
            <>
              <image
                href={image.href}
                width={size}
                height={size}
                preserveAspectRatio="none"
                style={{ imageRendering: 'pixelated' }}
                data-testid="composition-image"
              />
              <rect
                width={size}
                height={size}
                fill="transparent"
                style={{ cursor: 'pointer' }}
                onMouseMove={(e) => {
                  const p = pairAt(e);
                  setHover(p ? `${name(p.sl, p.sh)} → ${name(p.dl, p.dh)}` : null);
                }}
                onMouseLeave={() => setHover(null)}
                onClick={(e) => {
                  const p = pairAt(e);
                  if (p) router.push(`${headHrefPrefix}${p.dl}.${p.dh}`);
                }}
              />
            </>
          ) : null}
          {/* One tab stop for the matrix; arrow keys move between cells (roving-grid.ts). */}
          <g onKeyDown={rovingGridKeyDown}>
            {(scores ?? []).map(([sl, sh, dl, dh, v], i) => {
              const label = `${name(sl, sh)} → ${name(dl, dh)}: ${v.toFixed(3)}${baseline ? ` (${((v - baseline.mean) / baseline.std).toFixed(1)} σ above random)` : ''}`;
              return (
                <a
                  key={`${sl}.${sh}.${dl}.${dh}`}
                  href={`${headHrefPrefix}${dl}.${dh}`}
                  onMouseEnter={() => setHover(label)}
                  onFocus={() => setHover(label)}
                  data-row={index(sl, sh)}
                  data-col={index(dl, dh)}
                  tabIndex={i === 0 ? 0 : -1}
                  aria-label={label}
                >
                  <rect
                    x={index(dl, dh) * cell}
                    y={index(sl, sh) * cell}
                    width={cell - (cell > 6 ? 1 : 0)}
                    height={cell - (cell > 6 ? 1 : 0)}
                    fill={significant(v) ? color(v) : `url(#hatch-${kind})`}
                    data-testid="composition-cell"
                    data-value={v}
                    data-significant={significant(v) ? '1' : '0'}
                  >
                    <title>{label}</title>
                  </rect>
                </a>
              );
            })}
          </g>
        </g>
      </svg>
      <figcaption className="small">
        <span className="legend-swatch hatched" aria-hidden="true" /> within 2σ of random matrices
        {baseline ? (
          <>
            {' '}
            (baseline {baseline.mean.toFixed(3)} ± {baseline.std.toFixed(3)}, {baseline.draws} draws)
          </>
        ) : null}{' '}
        · <span className="legend-swatch" style={{ background: color(max) }} aria-hidden="true" /> max {max.toFixed(3)}
        <span className="muted" aria-live="polite" data-testid="composition-hover">
          {hover ? ` · ${hover}` : ''}
        </span>
      </figcaption>
    </figure>
  );
}
