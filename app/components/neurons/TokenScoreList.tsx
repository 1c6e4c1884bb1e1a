/** A list of tokens with scores (logit effects, input tokens), token text made visible and inert. */
import type { TokenScoreRow } from '@/lib/db/neurons';
import { formatToken } from '@/lib/format/token-display';
import { inertText } from '@/lib/format/inert-text';

export function TokenScoreList({ title, rows, testId }: { title: string; rows: TokenScoreRow[]; testId?: string }) {
  return (
    <div className="token-scores" data-testid={testId}>
      <h3>{title}</h3>
      <ol>
        {rows.map((r) => (
          <li key={r.token}>
            <code className="token-chip" title={`id ${r.token} · ${inertText(JSON.stringify(r.piece))}`}>
              {inertText(formatToken(r.piece).text)}
            </code>{' '}
            <span className="muted">{r.score.toFixed(3)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
