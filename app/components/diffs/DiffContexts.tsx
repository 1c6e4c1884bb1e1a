import type { DiffContext } from '@/lib/diff/types';
import { inertText } from '@/lib/format/inert-text';

/**
 * The contexts where one model assigns the text much more probability than the other: the text before, the
 * aligned segments around the focus (each shaded by its log-prob difference, B − A, with both values on hover),
 * the focus segment outlined. Plain server-rendered text: readable without JavaScript.
 */
export function DiffContexts({ contexts, better, testId }: { contexts: DiffContext[]; better: 'A' | 'B'; testId: string }) {
  if (contexts.length === 0) return <p className="muted">None: the two models agree on every segment.</p>;
  return (
    <ol className="diff-contexts" data-testid={testId}>
      {contexts.map((c, i) => (
        <li key={i} className="diff-context">
          <span className="diff-context-meta small muted">
            document {c.document} · {better} better by <strong>{Math.abs(c.diff).toFixed(2)}</strong> nats
          </span>
          <span className="diff-context-text">
            <span className="muted">{inertText(c.prefix.length > 120 ? `…${c.prefix.slice(-120)}` : c.prefix)}</span>
            {c.segments.map((s, j) => {
              const d = s.logProbB - s.logProbA;
              return (
                <span
                  key={j}
                  className={`diff-seg ${j === c.focus ? 'diff-focus' : ''} ${d > 0 ? 'diff-b' : d < 0 ? 'diff-a' : ''}`}
                  style={{ '--w': Math.min(1, Math.abs(d) / 4).toFixed(2) } as React.CSSProperties}
                  title={`log p: A ${s.logProbA.toFixed(2)}, B ${s.logProbB.toFixed(2)} (B − A = ${d.toFixed(2)})`}
                >
                  {inertText(s.text)}
                </span>
              );
            })}
          </span>
        </li>
      ))}
    </ol>
  );
}
