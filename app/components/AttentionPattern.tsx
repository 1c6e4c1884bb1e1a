'use client';

/**
 * A head's attention pattern on the run's example text, two ways:
 *  - the tokens in a row: pick a query token (hover, focus or click to pin) and every earlier
 *    token is shaded by how much the query attends to it (opacity ∝ A[q, k]);
 *  - the full pattern matrix A[q, k] (rows = queries, columns = keys).
 * The server renders both with the last token as the query, so the page reads without
 * JavaScript; d3 adds the matrix's hover layer (crosshair, value readout) and keeps both views in step.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { pointer, select } from 'd3';
import { formatToken } from '@/lib/format/token-display';
import { formatAttention } from '@/lib/format/numbers';
import { rovingGridKeyDown } from './roving-grid';

export interface AttentionPatternProps {
  tokens: string[];
  /** pattern[q][k], rows sum to 1, zero above the diagonal. */
  pattern: number[][];
  headLabel: string;
}

/** Cells lighter than this are not drawn: invisible anyway, and they would bloat the HTML. */
const MIN_DRAWN = 0.004;

function clamp01(a: number): number {
  return Math.min(1, Math.max(0, a));
}

/** CSS background for a token (HTML style, where custom properties work). */
function shade(a: number): string {
  return `rgb(var(--attn) / ${clamp01(a).toFixed(3)})`;
}

/** SVG presentation attributes cannot use CSS variables: the same blue, spelled out. */
const ATTN_FILL = 'rgb(37, 99, 235)';

function topKeys(row: number[], q: number, n: number): { k: number; a: number }[] {
  return row
    .slice(0, q + 1)
    .map((a, k) => ({ k, a }))
    .sort((x, y) => y.a - x.a)
    .slice(0, n);
}

export function AttentionPattern({ tokens, pattern, headLabel }: AttentionPatternProps) {
  const n = tokens.length;
  const [query, setQuery] = useState(n - 1);
  const [pinned, setPinned] = useState(false);
  const display = useMemo(() => tokens.map(formatToken), [tokens]);
  const displayTexts = useMemo(() => display.map((t) => t.text), [display]);

  const focus = (q: number) => {
    if (!pinned) setQuery(q);
  };
  const togglePin = (q: number) => {
    if (pinned && q === query) setPinned(false);
    else {
      setQuery(q);
      setPinned(true);
    }
  };

  if (n === 0 || pattern.length !== n) {
    return <p className="muted">No attention pattern is stored for this head.</p>;
  }
  const row = pattern[query];
  const best = topKeys(row, query, 3);

  return (
    <div className="attention-pattern" data-testid="attention-pattern">
      <p className="small muted" style={{ margin: '0 0 0.4rem' }}>
        Hover a token to see where {headLabel} attends from it (shade ∝ attention); click to pin it.
      </p>
      {/* One tab stop for the row (the query token); ← → Home End move the query (roving-grid.ts). */}
      <div
        className="tokens"
        role="group"
        aria-label="Example text tokens: arrow keys move the query token, Enter pins it"
        onMouseLeave={() => focus(n - 1)}
        onKeyDown={rovingGridKeyDown}
      >
        {display.map((t, k) => {
          const isQuery = k === query;
          const future = k > query;
          const classes = ['token', t.kind === 'text' ? '' : t.kind, future ? 'future' : '', isQuery ? 'query' : '']
            .filter(Boolean)
            .join(' ');
          const a = future ? 0 : row[k];
          return (
            <span key={k}>
              <span
                className={classes}
                style={future ? undefined : { background: shade(a), color: a > 0.55 ? '#fff' : undefined }}
                title={`${t.title} · position ${k}${future ? '' : ` · attention from query: ${formatAttention(a)}`}`}
                tabIndex={isQuery ? 0 : -1}
                data-pos={k}
                data-row={0}
                data-col={k}
                onMouseEnter={() => focus(k)}
                onFocus={() => focus(k)}
                onClick={() => togglePin(k)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    togglePin(k);
                  }
                }}
              >
                {t.text}
              </span>
              {/* A newline token ends its line, as in the text. */}
              {t.text.endsWith('↵') ? <span className="token-break" /> : null}
            </span>
          );
        })}
      </div>
      <p className="attn-readout" aria-live="polite" data-testid="attention-readout">
        Query <span className="tok">{display[query].text}</span> (position {query}){pinned ? ' — pinned' : ''} attends most to{' '}
        {best.map((b, i) => (
          <span key={b.k}>
            {i > 0 ? ', ' : ''}
            <span className="tok">{display[b.k].text}</span> ({b.k}: {formatAttention(b.a)})
          </span>
        ))}
        .
      </p>
      <PatternMatrix
        tokens={displayTexts}
        pattern={pattern}
        query={query}
        onQuery={focus}
        onPick={togglePin}
        onLeave={() => focus(n - 1)}
      />
    </div>
  );
}

function PatternMatrix({
  tokens,
  pattern,
  query,
  onQuery,
  onPick,
  onLeave,
}: {
  tokens: string[];
  pattern: number[][];
  query: number;
  onQuery: (q: number) => void;
  onPick: (q: number) => void;
  onLeave: () => void;
}) {
  const n = tokens.length;
  const cell = Math.max(3, Math.min(18, Math.floor(640 / n)));
  const showLabels = cell >= 9;
  const labelW = showLabels ? Math.min(110, 8 + 6.2 * Math.max(...tokens.map((t) => Math.min(t.length, 14)))) : 24;
  const margin = { top: showLabels ? labelW : 24, left: labelW, right: 12, bottom: 12 };
  const size = n * cell;
  const overlayRef = useRef<SVGGElement>(null);
  const hitRef = useRef<SVGRectElement>(null);
  const clip = (t: string) => (t.length > 14 ? t.slice(0, 13) + '…' : t);
  // The d3 handlers are bound once per geometry; they call the latest callbacks through a ref,
  // so that re-rendering on every hover does not tear the hover layer down.
  const callbacks = useRef({ onQuery, onPick, onLeave });
  useLayoutEffect(() => {
    callbacks.current = { onQuery, onPick, onLeave };
  });

  // Causal mask: keys after the query (k > q) are unreachable; shade them so zeros read as "not
  // allowed". A staircase along the cell edges, right of the diagonal cells.
  let maskPath = `M${size},0 H${cell}`;
  for (let q = 0; q < n - 1; q++) maskPath += ` V${(q + 1) * cell} H${(q + 2) * cell}`;
  maskPath += ' Z';

  useEffect(() => {
    const hit = hitRef.current;
    const overlay = overlayRef.current;
    if (!hit || !overlay) return;
    const g = select(overlay);
    const clear = () => g.selectAll('*').remove();
    const hitSel = select(hit);
    hitSel.on('pointermove', (event: PointerEvent) => {
      const [px, py] = pointer(event, hit);
      const k = Math.floor(px / cell);
      const q = Math.floor(py / cell);
      if (q < 0 || q >= n || k < 0 || k >= n) return;
      callbacks.current.onQuery(q);
      clear();
      g.append('rect')
        .attr('x', 0)
        .attr('y', q * cell)
        .attr('width', size)
        .attr('height', cell)
        .attr('fill', 'none')
        .attr('stroke', '#d33f49')
        .attr('stroke-width', 1);
      g.append('rect')
        .attr('x', k * cell)
        .attr('y', q * cell)
        .attr('width', cell)
        .attr('height', cell)
        .attr('fill', 'none')
        .attr('stroke', '#111')
        .attr('stroke-width', 1.5);
      const a = k <= q ? pattern[q][k] : 0;
      const label = `${tokens[q]} → ${tokens[k]}: ${k <= q ? formatAttention(a) : 'masked'}`;
      const tip = g.append('g').attr('class', 'hm-tooltip');
      const text = tip.append('text').attr('x', 6).attr('y', 14).text(label);
      const w = ((text.node() as SVGTextElement).getComputedTextLength?.() || label.length * 6.5) + 12;
      tip.insert('rect', 'text').attr('width', w).attr('height', 20).attr('rx', 3);
      const x = (k + 1) * cell + w + 4 > size ? Math.max(0, k * cell - w - 4) : (k + 1) * cell + 4;
      const y = q * cell > 26 ? q * cell - 24 : (q + 1) * cell + 4;
      tip.attr('transform', `translate(${x},${y})`);
    });
    hitSel.on('pointerleave', () => {
      clear();
      callbacks.current.onLeave();
    });
    hitSel.on('click', (event: MouseEvent) => {
      const [, py] = pointer(event, hit);
      const q = Math.floor(py / cell);
      if (q >= 0 && q < n) callbacks.current.onPick(q);
    });
    return () => {
      hitSel.on('pointermove', null).on('pointerleave', null).on('click', null);
      clear();
    };
  }, [cell, n, size, pattern, tokens]);

  const cells = useMemo(() => {
    const out: { q: number; k: number; a: number }[] = [];
    for (let q = 0; q < n; q++) for (let k = 0; k <= q; k++) if (pattern[q][k] >= MIN_DRAWN) out.push({ q, k, a: pattern[q][k] });
    return out;
  }, [pattern, n]);

  return (
    <figure className="pattern-matrix" style={{ margin: '1.2rem 0 0' }}>
      <figcaption className="small muted">
        Pattern matrix <code>A[q, k]</code>: row = query position, column = key position; darker = more attention. Grey triangle: future
        positions (causal mask).
      </figcaption>
      <svg
        width={size + margin.left + margin.right}
        height={size + margin.top + margin.bottom}
        role="img"
        aria-label={`Attention pattern matrix, ${n} by ${n} tokens`}
      >
        <g transform={`translate(${margin.left},${margin.top})`}>
          <rect width={size} height={size} fill="#fff" stroke="#c9cdd2" strokeWidth={0.5} />
          <path d={maskPath} fill="#f3f4f6" />
          {cells.map(({ q, k, a }) => (
            <rect
              key={`${q}.${k}`}
              x={k * cell}
              y={q * cell}
              width={cell}
              height={cell}
              fill={ATTN_FILL}
              fillOpacity={clamp01(a).toFixed(3)}
            />
          ))}
          {showLabels
            ? tokens.map((t, i) => (
                <g key={i}>
                  <text
                    className={`tick${i === query ? ' active' : ''}`}
                    x={-4}
                    y={i * cell + cell / 2}
                    dy="0.35em"
                    textAnchor="end"
                    style={{ whiteSpace: 'pre' }}
                  >
                    {clip(t)}
                  </text>
                  <text
                    className="tick"
                    transform={`translate(${i * cell + cell / 2},-4) rotate(-60)`}
                    dy="0.35em"
                    textAnchor="start"
                    style={{ whiteSpace: 'pre' }}
                  >
                    {clip(t)}
                  </text>
                </g>
              ))
            : null}
          <rect x={0} y={query * cell} width={size} height={cell} fill="none" stroke="#d33f49" strokeOpacity={0.6} />
          <g ref={overlayRef} pointerEvents="none" />
          <rect ref={hitRef} width={size} height={size} fill="transparent" style={{ cursor: 'crosshair' }} />
        </g>
      </svg>
    </figure>
  );
}
