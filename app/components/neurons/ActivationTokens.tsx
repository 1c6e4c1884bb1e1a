'use client';

/**
 * Tokens shaded by a neuron's activation (server-rendered, no JavaScript): the background's strength is the
 * activation relative to `scale` (orange for positive, blue for negative); hovering shows the exact value.
 * Token text goes through formatToken (visible whitespace) and inertText (visible control/bidi characters),
 * and React escapes it: corpus text can never become markup.
 * A client component only so that its props, not its markup, ride in the page's flight payload: an example's
 * pieces and activations are sent once (the short window and the full context share the arrays, `from`/`to`)
 * instead of every token's span a second time, which halves a neuron page (issue 16). It still renders on the
 * server, so it reads without JavaScript.
 */
import { formatToken } from '@/lib/format/token-display';
import { inertText } from '@/lib/format/inert-text';

export function activationColor(value: number, scale: number): string {
  const a = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  if (a >= 0) return `rgba(234, 88, 12, ${(a * 0.85).toFixed(3)})`;
  return `rgba(37, 99, 235, ${(-a * 0.6).toFixed(3)})`;
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
  return (
    <span className="neuron-tokens">
      {pieces.slice(from, to ?? pieces.length).map((piece, i) => {
        const act = acts[from + i] ?? 0;
        const t = formatToken(piece);
        const text = inertText(t.text);
        return (
          <span
            key={i}
            className={`neuron-token${i === highlight ? ' neuron-token-max' : ''}${t.kind !== 'text' ? ` ${t.kind}` : ''}`}
            style={{ background: activationColor(act, scale) }}
            title={`${inertText(t.title)} · position ${firstIndex + i} · activation ${act.toFixed(4)}`}
          >
            {text}
          </span>
        );
      })}
    </span>
  );
}
