/**
 * "Planted vs detected": for a hand-built model whose metadata carries the heads it has by construction, each planted
 * head with whether the wiki's labels found it (verdict, score), then every label on a head that was not planted.
 * A plain server-rendered table: readable without JavaScript.
 */
import Link from 'next/link';
import { headPath } from '@/lib/format/paths';
import { headName } from '@/lib/format/head-name';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import type { PlantedComparisonRow } from '@/lib/models/planted-truth';

const OUTCOME_TEXT: Record<PlantedComparisonRow['outcome'], string> = {
  detected: '✓ found',
  missed: '✗ missed',
  false_positive: '✗ extra',
};
const STATUS_TEXT = { confirmed: 'confirmed', not_confirmed: 'not confirmed', untestable: 'untestable' } as const;

export function PlantedTruthPanel({ rows, modelSlug, runId }: { rows: PlantedComparisonRow[]; modelSlug: string; runId?: string }) {
  const detected = rows.filter((r) => r.outcome === 'detected').length;
  const planted = rows.filter((r) => r.outcome !== 'false_positive').length;
  const falsePositives = rows.length - planted;
  return (
    <section aria-labelledby="planted-truth" data-testid="planted-truth">
      <h2 id="planted-truth">Planted vs detected</h2>
      <p className="prose small">
        This model was built by hand with known heads. The wiki&apos;s labels found {detected} of {planted} planted heads
        {falsePositives > 0
          ? `, and gave ${falsePositives} label${falsePositives === 1 ? '' : 's'} that nothing planted (“extra”: false positives)`
          : ', with no false positives'}
        . Score is the label&apos;s metric against its threshold; the verdict is the causal check.
      </p>
      <div className="metric-table-wrap">
        <table className="data-table planted-table">
          <thead>
            <tr>
              <th scope="col">Head</th>
              <th scope="col">Role</th>
              <th scope="col">Found</th>
              <th scope="col">Verdict</th>
              <th scope="col" className="num">
                Score
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.layer}:${r.head}:${r.role}`} data-outcome={r.outcome}>
                <th scope="row">
                  <Link href={headPath(modelSlug, r.layer, r.head, runId)}>{headName(r.layer, r.head)}</Link>
                </th>
                <td>{LABEL_RULES.find((rule) => rule.label === r.role)?.title.replace(/ head$/, '') ?? r.role}</td>
                <td className={r.outcome === 'detected' ? 'planted-found' : 'planted-found planted-miss'}>{OUTCOME_TEXT[r.outcome]}</td>
                <td>{r.status ? STATUS_TEXT[r.status] : '—'}</td>
                <td className="num">
                  {r.score === null ? '—' : r.score.toFixed(2)}
                  {Number.isFinite(r.threshold) ? <span className="muted"> / {r.threshold.toFixed(2)}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
