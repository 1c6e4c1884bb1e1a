'use client';
/**
 * Live probe: the neuron's activation on a visitor's own text, run by the server's live engine
 * (POST …/probe; limits on length and rate). Tokens are shaded like the examples; text is rendered as text.
 * Without JavaScript the form is a plain GET to the neuron page (`?probe=`), which NeuronProbeSection answers on
 * the server (`initialResult` / `initialError`).
 */
import { useState } from 'react';
import { inertText as inert } from '@/lib/format/inert-text';
import { activationColor } from './ActivationTokens';

interface ProbeToken {
  piece: string;
  text: string;
  title: string;
}

export interface ProbeResult {
  tokens: ProbeToken[];
  acts: number[];
}

export function NeuronProbe({
  endpoint,
  formAction,
  site,
  scale,
  maxChars,
  defaultText,
  initialResult,
  initialError,
}: {
  endpoint: string;
  formAction: string;
  site: string;
  scale: number;
  maxChars: number;
  defaultText: string;
  initialResult?: ProbeResult;
  initialError?: string;
}) {
  const [text, setText] = useState(defaultText);
  const [result, setResult] = useState<ProbeResult | null>(initialResult ?? null);
  const [error, setError] = useState<string | null>(initialError ?? null);
  const [busy, setBusy] = useState(false);

  async function run(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text, site }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      setResult({ tokens: body.tokens, acts: body.acts });
    } catch (err) {
      setResult(null);
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const max = result && result.acts.length > 1 ? Math.max(...result.acts.slice(1)) : 0;
  return (
    <form className="neuron-probe" method="get" action={formAction} onSubmit={run} data-testid="neuron-probe">
      {site !== 'post' ? <input type="hidden" name="site" value={site} /> : null}
      <textarea
        name="probe"
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={3}
        maxLength={maxChars}
        aria-label="Text to probe the neuron with"
      />
      <div>
        <button type="submit" disabled={busy || text.trim() === ''}>
          {busy ? 'Running…' : 'Show activations'}
        </button>
      </div>
      {error ? (
        <p className="notice" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <div data-testid="probe-result">
          <p className="small muted">
            Max on this text {max.toFixed(3)} (the corpus max is {scale.toFixed(3)}; shading uses the corpus max). BOS excluded.
          </p>
          <span className="neuron-tokens">
            {result.tokens.map((t, i) =>
              i === 0 ? null : (
                <span
                  key={i}
                  className="neuron-token"
                  style={{ background: activationColor(result.acts[i], scale) }}
                  title={`${inert(t.title)} · activation ${result.acts[i].toFixed(4)}`}
                  data-act={result.acts[i].toFixed(4)}
                >
                  {inert(t.text)}
                </span>
              ),
            )}
          </span>
        </div>
      ) : null}
    </form>
  );
}
