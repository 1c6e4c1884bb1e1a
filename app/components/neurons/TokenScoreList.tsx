/**
 * A list of tokens with scores (logit effects, input tokens), token text made visible and inert. Runs of tied scores
 * (untrained tokens share one embedding) are folded into one line that opens to the tokens (lib/format/fold-ties.ts).
 */
import type { TokenScoreRow } from '@/lib/db/neurons';
import { foldTies } from '@/lib/format/fold-ties';
import { formatToken } from '@/lib/format/token-display';
import { inertText } from '@/lib/format/inert-text';

function Chip({ r }: { r: TokenScoreRow }) {
  return (
    <code className="token-chip" title={`id ${r.token} · ${inertText(JSON.stringify(r.piece))}`}>
      {inertText(formatToken(r.piece).text)}
    </code>
  );
}

export function TokenScoreList({ title, rows, testId }: { title: string; rows: TokenScoreRow[]; testId?: string }) {
  return (
    <div className="token-scores" data-testid={testId}>
      <h3>{title}</h3>
      <ol>
        {foldTies(rows).map((f) =>
          f.kind === 'one' ? (
            <li key={f.row.token}>
              <Chip r={f.row} /> <span className="muted">{f.row.score.toFixed(3)}</span>
            </li>
          ) : (
            <li key={`tie-${f.rows[0].token}`} className="token-tie" data-testid="token-tie">
              <details>
                <summary>
                  {f.rows.length} tokens tie at <span className="muted">{f.score.toFixed(3)}</span>{' '}
                  <span className="small muted">(identical embeddings: usually tokens the model never trained on)</span>
                </summary>
                {f.rows.map((r) => (
                  <span key={r.token}>
                    <Chip r={r} />{' '}
                  </span>
                ))}
              </details>
            </li>
          ),
        )}
      </ol>
    </div>
  );
}
