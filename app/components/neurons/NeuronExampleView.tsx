/**
 * One example of a neuron: a short window around the token (shaded by activation), which expands to the whole
 * stored context with a native <details> element — works without JavaScript.
 */
import type { StoredNeuronExample } from '@/lib/db/neurons';
import { ActivationTokens } from './ActivationTokens';

const SHORT_BEFORE = 10;
const SHORT_AFTER = 4;

export function NeuronExampleView({ ex, scale, label }: { ex: StoredNeuronExample; scale: number; label: string }) {
  const at = ex.position - ex.windowStart;
  const from = Math.max(0, at - SHORT_BEFORE);
  const to = Math.min(ex.tokens.length, at + SHORT_AFTER + 1);
  const where = `document ${ex.docIndex}${ex.chunk > 0 ? `, chunk ${ex.chunk}` : ''}, token ${ex.position}`;
  const minimal = ex.minimal;
  return (
    <details className="neuron-example" data-testid="neuron-example">
      <summary>
        <span className="neuron-example-meta">
          {label} <strong>{ex.value.toFixed(3)}</strong>
        </span>{' '}
        {from > 0 ? <span className="muted">…</span> : null}
        <ActivationTokens pieces={ex.tokens.slice(from, to)} acts={ex.acts.slice(from, to)} scale={scale} highlight={at - from} firstIndex={ex.windowStart + from} />
        {to < ex.tokens.length ? <span className="muted">…</span> : null}
      </summary>
      <div className="neuron-example-full" data-testid="neuron-example-full">
        <ActivationTokens pieces={ex.tokens} acts={ex.acts} scale={scale} highlight={at} firstIndex={ex.windowStart} />
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
