'use client';

/**
 * "Try your own text": runs one head live on the visitor's text (POST /api/v1/models/{model}/attention, which
 * goes through lib/live with its length, queue and time limits) and shows the result in the attention viewer.
 * Without JavaScript the form submits (GET ?text=) to `formAction`, the head page, whose server component
 * (CustomTextSection) runs the head and hands the result in as `initial`.
 */
import { useState } from 'react';
import { AttentionViewer } from './AttentionViewer';
import { viewerFromPattern, type ViewerData } from './viewer-model';

export interface CustomTextAttentionProps {
  modelSlug: string;
  layer: number;
  head: number;
  label: string;
  maxTokens: number;
  maxChars: number;
  defaultText?: string;
  /** Where the form goes without JavaScript (the head page; it renders the result on the server). */
  formAction: string;
  /** A result (or error) the server already computed for `?text=`. */
  initial?: { text: string; result?: ViewerData; error?: string };
}

interface ApiAttention {
  tokens: { piece: string }[];
  heads: { head: number; rows: number[][] }[];
}

export function CustomTextAttention({
  modelSlug,
  layer,
  head,
  label,
  maxTokens,
  maxChars,
  defaultText = '',
  formAction,
  initial,
}: CustomTextAttentionProps) {
  const [text, setText] = useState(initial?.text ?? defaultText);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initial?.error ?? null);
  const [result, setResult] = useState<ViewerData | null>(initial?.result ?? null);
  const [shareUrl, setShareUrl] = useState<string | null>(initial?.result ? shareLink(formAction, initial.text) : null);
  const endpoint = `/api/v1/models/${encodeURIComponent(modelSlug)}/attention`;

  const run = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text, layer, head }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        setResult(null);
        setError(body?.error?.message ?? `the server answered ${res.status}`);
        return;
      }
      const data = body as ApiAttention;
      setResult(
        viewerFromPattern(
          data.tokens.map((t) => t.piece),
          data.heads[0].rows,
        ),
      );
      // The result is shareable: the address bar now holds `?text=`, which the server renders (also without JS).
      const url = new URL(window.location.href);
      url.searchParams.set('text', text);
      url.hash = 'try';
      window.history.replaceState(window.history.state, '', url);
      setShareUrl(url.pathname + url.search + url.hash);
    } catch (err) {
      setError(`could not reach the server: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="custom-text" data-testid="custom-text">
      <form className="custom-text-form" method="get" action={formAction} onSubmit={run}>
        <label htmlFor={`custom-text-${layer}-${head}`} className="small muted">
          Your text (at most {maxTokens} tokens, BOS included; run live on {label}):
        </label>
        <textarea
          id={`custom-text-${layer}-${head}`}
          name="text"
          rows={3}
          maxLength={maxChars}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="custom-text-input"
        />
        <div>
          <button type="submit" disabled={busy} data-testid="custom-text-run">
            {busy ? 'Running…' : `Run ${label}`}
          </button>
        </div>
      </form>
      {error ? (
        <p className="custom-text-error" role="alert" data-testid="custom-text-error">
          {error}
        </p>
      ) : null}
      {result ? <AttentionViewer {...result} label={label} testId="custom-text-viewer" /> : null}
      {result && shareUrl ? (
        <p className="small muted">
          <a href={shareUrl} data-testid="custom-text-link">
            Link to this result
          </a>{' '}
          (the text is in the address)
        </p>
      ) : null}
    </div>
  );
}

/** The head page with `?text=` (formAction is the page's path with `#try`). */
function shareLink(formAction: string, text: string): string {
  const [path, hash] = formAction.split('#');
  return `${path}?text=${encodeURIComponent(text)}${hash ? `#${hash}` : ''}`;
}
