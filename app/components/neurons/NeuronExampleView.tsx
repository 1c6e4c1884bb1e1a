/**
 * One example of a neuron: a short window around the token (shaded by activation), which expands to the whole
 * stored context with a native <details> element — without JavaScript for `eager` examples (the page's first top
 * ones); the others render their window from the client island's data when opened (ExampleFullContext).
 */
import type { StoredNeuronExample } from '@/lib/db/neurons';
import { ActivationTokens } from './ActivationTokens';
import { ExampleFullContext } from './ExampleFullContext';

const SHORT_BEFORE = 10;
const SHORT_AFTER = 4;

/** `sameAs`: the example is already shown in full elsewhere on the page (e.g. a diverse example that is also a top one): one line with a link. */
export function NeuronExampleView({
  ex,
  scale,
  label,
  sameAs,
  eager = true,
  jsonHref,
}: {
  ex: StoredNeuronExample;
  scale: number;
  label: string;
  sameAs?: { href: string; label: string };
  /** Render the whole window on the server (expands without JavaScript); otherwise on the client when opened. */
  eager?: boolean;
  /** Where the whole window is without JavaScript when not eager (the neuron's JSON). */
  jsonHref?: string;
}) {
  const at = ex.position - ex.windowStart;
  const from = Math.max(0, at - SHORT_BEFORE);
  const to = Math.min(ex.tokens.length, at + SHORT_AFTER + 1);
  // One array each for the short window and the full context (ActivationTokens is a client component: the page
  // carries its props once), activations to the 4 decimals shown.
  const acts = ex.acts.map((v) => Math.round(v * 1e4) / 1e4);
  const short = { pieces: ex.tokens, acts, from, to, scale, highlight: at - from, firstIndex: ex.windowStart + from };
  if (sameAs) {
    return (
      <div className="neuron-example neuron-example-same" data-testid="neuron-example">
        <span className="neuron-example-meta">
          {label} <strong>{ex.value.toFixed(3)}</strong>
        </span>{' '}
        {from > 0 ? <span className="muted">…</span> : null}
        {/* Only the window's slice: the whole arrays are already sent with the top example it repeats. */}
        <ActivationTokens {...short} pieces={ex.tokens.slice(from, to)} acts={acts.slice(from, to)} from={0} to={undefined} />
        {to < ex.tokens.length ? <span className="muted">…</span> : null}{' '}
        <a href={sameAs.href} className="small">
          = {sameAs.label}
        </a>
      </div>
    );
  }
  const where = `document ${ex.docIndex}${ex.chunk > 0 ? `, chunk ${ex.chunk}` : ''}, token ${ex.position}`;
  const minimal = ex.minimal;
  return (
    <details className="neuron-example" data-testid="neuron-example" id={ex.kind === 'top' ? `top-${ex.rank + 1}` : undefined}>
      <summary>
        <span className="neuron-example-meta">
          {label} <strong>{ex.value.toFixed(3)}</strong>
        </span>{' '}
        {from > 0 ? <span className="muted">…</span> : null}
        <ActivationTokens {...short} />
        {to < ex.tokens.length ? <span className="muted">…</span> : null}
      </summary>
      <div className="neuron-example-full" data-testid="neuron-example-full">
        <ExampleFullContext
          pieces={ex.tokens}
          acts={acts}
          scale={scale}
          highlight={at}
          firstIndex={ex.windowStart}
          eager={eager}
          jsonHref={jsonHref}
        />
        <p className="small muted">
          {where} · window of {ex.tokens.length} tokens from position {ex.windowStart}
          {minimal
            ? minimal.length === null
              ? ' · no suffix of this window keeps half the activation'
              : ` · minimal example: the last ${minimal.length} token${minimal.length === 1 ? '' : 's'} (after BOS) keep ${minimal.value?.toFixed(3)} (≥ 50 %)`
            : ''}
        </p>
      </div>
    </details>
  );
}
