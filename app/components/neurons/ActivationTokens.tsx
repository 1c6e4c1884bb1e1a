'use client';

/**
 * Tokens shaded by a neuron's activation (server-rendered, no JavaScript): the background's strength is the
 * activation relative to `scale` (orange for positive, blue for negative), quantised to ACT_LEVELS steps each way
 * so that a token carries a short class (`act-p5`, globals.css) rather than an inline style. The example's token
 * (`highlight`) is outlined and carries its exact value as a title; every other token gets its title on hover from
 * the arrays this client component already holds (issue 16: per-token titles and styles were half a neuron page).
 * Token text goes through formatToken (visible whitespace) and inertText (visible control/bidi characters),
 * and React escapes it: corpus text can never become markup.
 * A client component only so that its props, not its markup, ride in the page's flight payload: an example's
 * pieces and activations are sent once (the short window and the full context share the arrays, `from`/`to`).
 * It still renders on the server, so it reads without JavaScript.
 */
import type { PointerEvent } from 'react';
import { formatToken } from '@/lib/format/token-display';
import { inertText } from '@/lib/format/inert-text';

/** Shading steps each way; globals.css defines .act-p1…p8 and .act-n1…n8 with activationColor's colours. */
export const ACT_LEVELS = 8;

export function activationColor(value: number, scale: number): string {
  const a = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  if (a >= 0) return `rgba(234, 88, 12, ${(a * 0.85).toFixed(3)})`;
  return `rgba(37, 99, 235, ${(-a * 0.6).toFixed(3)})`;
}

/** The shading class of an activation ('' when it rounds to no shade): `act-p{k}` / `act-n{k}`, k = 1…ACT_LEVELS. */
export function activationClass(value: number, scale: number): string {
  const a = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  const k = Math.round(Math.abs(a) * ACT_LEVELS);
  if (k === 0) return '';
  return a > 0 ? `act-p${k}` : `act-n${k}`;
}

/** The hover text of one token. */
export function tokenTitle(piece: string, position: number, act: number): string {
  return `${inertText(formatToken(piece).title)} · position ${position} · activation ${act.toFixed(4)}`;
}

export function ActivationTokens({
  pieces,
  acts,
  scale,
  highlight,
  firstIndex = 0,
  from = 0,
  to,
}: {
  pieces: string[];
  acts: number[];
  /** The slice of pieces/acts to show (all by default); highlight and firstIndex are relative to `from`. */
  from?: number;
  to?: number;
  scale: number;
  /** Index (in pieces) of the example's token, outlined. */
  highlight?: number;
  /** Context position of pieces[0], for the hover text. */
  firstIndex?: number;
}) {
  // Hover: the token's title from the arrays (its index among the wrapper's children is its offset from `from`).
  const onPointerOver = (e: PointerEvent<HTMLSpanElement>) => {
    const token = e.target as HTMLElement;
    if (token.title || token.parentElement !== e.currentTarget) return;
    const i = Array.prototype.indexOf.call(e.currentTarget.children, token) as number;
    if (i >= 0) token.title = tokenTitle(pieces[from + i], firstIndex + i, acts[from + i] ?? 0);
  };
  return (
    <span className="neuron-tokens" onPointerOver={onPointerOver}>
      {pieces.slice(from, to ?? pieces.length).map((piece, i) => {
        const act = acts[from + i] ?? 0;
        const t = formatToken(piece);
        const shade = activationClass(act, scale);
        const className = `neuron-token${shade ? ` ${shade}` : ''}${i === highlight ? ' neuron-token-max' : ''}${t.kind !== 'text' ? ` ${t.kind}` : ''}`;
        return (
          <span key={i} className={className} title={i === highlight ? tokenTitle(piece, firstIndex + i, act) : undefined}>
            {inertText(t.text)}
          </span>
        );
      })}
    </span>
  );
}
