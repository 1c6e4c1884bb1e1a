'use client';

/**
 * Attention viewer: a line of tokens with arcs from the focused destination token to the sources it attends to
 * (arc width and opacity ∝ attention; sources shaded blue, the destination outlined red).
 * Hover focuses a token; click locks it (click it again, or Escape, to unlock; clicking another token moves the
 * lock); with the viewer focused, ← → Home End move the focus and Enter / Space lock. The server renders the
 * shaded tokens for the initial focus, so it reads without JavaScript; d3 draws the arcs once the layout is known.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { select } from 'd3';
import { inertText } from '@/lib/format/inert-text';
import { formatToken, type DisplayToken } from '@/lib/format/token-display';
import type { ViewerData } from './viewer-model';
import './attention.css';

const ARC_HEIGHT = 56;

// useLayoutEffect warns on the server; the arcs are a client-only layer anyway.
const useIsoLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

export interface AttentionViewerProps extends ViewerData {
  /** e.g. "L1H3"; used in the readout and aria labels. */
  label: string;
  /** Name of the per-token value, when `values` are given (e.g. "‖hook_result‖"). */
  valueName?: string;
  testId?: string;
}

const fmt = (w: number) => (w >= 0.995 ? '1.00' : w.toFixed(2));

/** Corpus text is untrusted: whitespace and bytes made visible, control and bidi characters shown as escapes. */
function legible(piece: string): DisplayToken {
  const t = formatToken(piece);
  return { ...t, text: inertText(t.text), title: inertText(t.title) };
}

export function AttentionViewer({ tokens, rows, initialFocus, values, label, valueName, testId }: AttentionViewerProps) {
  const n = tokens.length;
  const start = Math.min(Math.max(0, initialFocus), n - 1);
  const [focus, setFocus] = useState(start);
  const [locked, setLocked] = useState(false);
  const display = useMemo(() => tokens.map((t) => legible(t.piece)), [tokens]);
  const indexOfPos = useMemo(() => new Map(tokens.map((t, i) => [t.pos, i])), [tokens]);
  const maxValue = useMemo(() => (values ? Math.max(1e-9, ...values.map(Math.abs)) : 1), [values]);
  const lineRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);

  const sources = rows[focus] ?? [];
  const weightAt = new Map<number, number>();
  for (const [pos, w] of sources) {
    const i = indexOfPos.get(pos);
    if (i !== undefined) weightAt.set(i, (weightAt.get(i) ?? 0) + w);
  }

  const hover = (i: number) => {
    if (!locked) setFocus(i);
  };
  const click = (i: number) => {
    if (locked && focus === i) setLocked(false);
    else {
      setFocus(i);
      setLocked(true);
    }
  };
  const onKeyDown = useCallback(
    (e: React.KeyboardEvent) => {
      const moves: Record<string, number> = { ArrowLeft: focus - 1, ArrowRight: focus + 1, Home: 0, End: n - 1 };
      if (e.key in moves) {
        e.preventDefault();
        setFocus(Math.min(n - 1, Math.max(0, moves[e.key])));
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        setLocked((l) => !l);
      } else if (e.key === 'Escape') {
        setLocked(false);
      }
    },
    [focus, n],
  );

  // Arcs: measured from the laid-out token spans, redrawn on focus change and resize.
  useIsoLayoutEffect(() => {
    const line = lineRef.current;
    const svg = svgRef.current;
    if (!line || !svg) return;
    const draw = () => {
      const spans = Array.from(line.querySelectorAll<HTMLElement>('[data-idx]'));
      const centre = (i: number) => {
        const s = spans[i];
        return s ? s.offsetLeft + s.offsetWidth / 2 : 0;
      };
      const width = line.scrollWidth;
      const root = select(svg).attr('width', width).attr('height', ARC_HEIGHT);
      const x0 = centre(focus);
      const arcs = (rows[focus] ?? [])
        .map(([pos, w]) => ({ i: indexOfPos.get(pos), w }))
        .filter((a): a is { i: number; w: number } => a.i !== undefined && a.w >= 0.01);
      root
        .selectAll<SVGPathElement, { i: number; w: number }>('path')
        .data(arcs, (d) => String(d.i))
        .join('path')
        .attr('d', ({ i }) => {
          const x1 = centre(i);
          if (i === focus)
            return `M${x0 - 6},${ARC_HEIGHT} C${x0 - 10},${ARC_HEIGHT - 16} ${x0 + 10},${ARC_HEIGHT - 16} ${x0 + 6},${ARC_HEIGHT}`;
          const h = Math.min(ARC_HEIGHT - 4, 10 + Math.abs(x1 - x0) / 4);
          return `M${x0},${ARC_HEIGHT} C${x0},${ARC_HEIGHT - h} ${x1},${ARC_HEIGHT - h} ${x1},${ARC_HEIGHT}`;
        })
        .attr('fill', 'none')
        .attr('stroke', 'rgb(37, 99, 235)')
        .attr('stroke-width', ({ w }) => 1 + 4 * w)
        .attr('stroke-opacity', ({ w }) => 0.25 + 0.75 * w)
        .attr('stroke-linecap', 'round');
    };
    draw();
    // Keep the focused token in view: on a narrow screen a long line scrolls, and the destination token of an
    // example is often near its end. Only the line scrolls sideways; the page does not move.
    const scroller = line.parentElement;
    const dest = line.querySelector<HTMLElement>(`[data-idx="${focus}"]`);
    if (scroller && dest) {
      const left = dest.offsetLeft;
      const right = left + dest.offsetWidth;
      if (left < scroller.scrollLeft || right > scroller.scrollLeft + scroller.clientWidth) {
        scroller.scrollLeft = Math.max(0, left - scroller.clientWidth / 2);
      }
    }
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(draw) : null;
    ro?.observe(line);
    return () => ro?.disconnect();
  }, [focus, rows, indexOfPos]);

  if (n === 0) return <p className="muted">No tokens.</p>;
  // The readout names the strongest sources; weights that round to 0.00 are noise there (the row keeps them).
  const best = [...sources]
    .sort((a, b) => b[1] - a[1])
    .filter(([, w], j) => j === 0 || w >= 0.005)
    .slice(0, 3);
  const nameOf = (pos: number) => {
    const i = indexOfPos.get(pos);
    return i === undefined ? `position ${pos}` : display[i].text;
  };

  return (
    <div
      className={`attn-viewer${locked ? ' locked' : ''}`}
      data-testid={testId ?? 'attention-viewer'}
      data-locked={locked ? 'true' : 'false'}
      data-focus={focus}
      tabIndex={0}
      role="group"
      aria-label={`Attention of ${label}: use the arrow keys to move between tokens, Enter to lock`}
      onKeyDown={onKeyDown}
      onMouseLeave={() => {
        if (!locked) setFocus(start);
      }}
    >
      <div className="attn-viewer-scroll">
        <svg ref={svgRef} className="attn-arcs" height={ARC_HEIGHT} aria-hidden="true" />
        <div className="attn-viewer-line" ref={lineRef}>
          {display.map((t, i) => {
            const w = weightAt.get(i) ?? 0;
            const v = values?.[i];
            const classes = ['vtok', t.kind === 'text' ? '' : t.kind, i === focus ? 'dest' : '', i > focus ? 'after' : '']
              .filter(Boolean)
              .join(' ');
            return (
              <span key={i} className="vtok-wrap">
                {tokens[i].gapBefore ? <span className="vtok-gap">…</span> : null}
                <span
                  className={classes}
                  data-idx={i}
                  data-pos={tokens[i].pos}
                  data-weight={w > 0 ? w.toFixed(3) : undefined}
                  style={{
                    background: w > 0 ? `rgb(37 99 235 / ${Math.min(1, w).toFixed(3)})` : undefined,
                    color: w > 0.55 ? '#fff' : undefined,
                    borderBottomColor: v !== undefined ? `rgb(234 88 12 / ${(Math.abs(v) / maxValue).toFixed(3)})` : undefined,
                  }}
                  title={`${t.title} · position ${tokens[i].pos}${w > 0 ? ` · attention from focus ${fmt(w)}` : ''}${v !== undefined && valueName ? ` · ${valueName} ${v.toFixed(3)}` : ''}`}
                  onMouseEnter={() => hover(i)}
                  onClick={() => click(i)}
                >
                  {t.text}
                </span>
              </span>
            );
          })}
        </div>
      </div>
      <p className="attn-viewer-readout small" aria-live="polite" data-testid="viewer-readout">
        {locked ? <strong>Locked · </strong> : null}
        <span className="tok">{display[focus].text}</span> (position {tokens[focus].pos}) attends to{' '}
        {best.length === 0
          ? 'nothing stored'
          : best.map(([pos, w], j) => (
              <span key={pos}>
                {j > 0 ? ', ' : ''}
                <span className="tok">{nameOf(pos)}</span> ({pos}: {fmt(w)})
              </span>
            ))}
        {values && valueName ? (
          <>
            {' '}
            · {valueName} {values[focus].toFixed(3)}
          </>
        ) : null}
      </p>
    </div>
  );
}
