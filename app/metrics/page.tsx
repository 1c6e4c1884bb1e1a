import type { Metadata } from 'next';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { describeMetric } from '@/lib/api/metric-descriptor';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Metrics' };

/** The head metric registry, as readers see it: every column of every head table, defined. */
export default function MetricsPage() {
  const metrics = headMetrics.map(describeMetric);
  return (
    <>
      <Breadcrumbs items={[{ label: 'Metrics' }]} />
      <h1>Head metrics</h1>
      <p className="lede">
        What each column of the head tables measures. Every value is stored with the metric&apos;s version, so a change to a definition
        never silently changes published numbers.
      </p>
      <dl className="metric-defs prose">
        {metrics.map((m) => (
          <div key={m.id} id={m.id} data-testid={`metric-def-${m.id}`}>
            <dt>
              {m.title} <code className="muted small">{m.id}</code>
            </dt>
            <dd>
              <p>{m.summary}</p>
              <p className="small" style={{ whiteSpace: 'pre-line' }}>
                {m.definition}
              </p>
              <p className="small muted">
                Range [{m.range[0]}, {m.range[1]}] · version {m.version} ·{' '}
                {m.citation.url ? <a href={m.citation.url}>{m.citation.text}</a> : m.citation.text}
              </p>
            </dd>
          </div>
        ))}
      </dl>
      <h2 id="labels">Labels and how they are tested</h2>
      <p className="prose">
        A head is <em>claimed</em> to have a label when its score reaches the label&apos;s threshold; the claim is then tested by
        mean-ablating the head (replacing its output with its mean) and measuring an effect. <strong>✓ confirmed</strong>: the effect
        reached its threshold. <strong>? not confirmed</strong>: it did not. <strong>– untestable here</strong>: the model gives no way to
        measure it — a previous-token head in the last layer, or in a model with no later head whose induction score could drop by the
        threshold.
      </p>
      <table className="data-table prose" data-testid="label-rules">
        <thead>
          <tr>
            <th>Label</th>
            <th>Claimed when</th>
            <th>Confirmed when ablating it gives</th>
          </tr>
        </thead>
        <tbody>
          {LABEL_RULES.map((r) => (
            <tr key={r.label}>
              <td>{r.title}</td>
              <td>
                <a href={`#${r.metricId}`}>
                  <code>{r.metricId}</code>
                </a>{' '}
                ≥ {r.threshold}
              </td>
              <td>
                {r.effect} ≥ {r.effectThreshold} {r.effectUnit}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="api-links">
        As JSON: <a href="/api/v1/metrics">/api/v1/metrics</a>
      </p>
    </>
  );
}
