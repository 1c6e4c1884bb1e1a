/**
 * A head's metrics as one compact table (value on its range, rank), each row's definition and source folded in a
 * <details>: fifteen full cards pushed the attention pattern 4,000 px down the page. Works without JavaScript.
 */
import type { HeadMetricDetail } from '@/lib/api/head-data';
import { formatMetricValue, formatRank } from '@/lib/format/numbers';

export function HeadMetricTable({ metrics }: { metrics: readonly HeadMetricDetail[] }) {
  return (
    <div className="metric-table-wrap">
      <table className="data-table metric-table" data-testid="head-metric-table">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col">On its range</th>
            <th scope="col">Rank</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <MetricRow key={m.id} metric={m} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MetricRow({ metric }: { metric: HeadMetricDetail }) {
  const [lo, hi] = metric.range;
  const hasRange = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo;
  const frac = hasRange && metric.value !== null ? Math.min(1, Math.max(0, (metric.value - lo) / (hi - lo))) : 0;
  return (
    <tr data-testid={`metric-${metric.id}`} id={`metric-${metric.id}`}>
      <th scope="row" className="metric-name">
        <details>
          <summary>{metric.title}</summary>
          <div className="metric-details small">
            <p>{metric.summary}</p>
            {metric.definition ? <p className="definition">{metric.definition}</p> : null}
            {metric.citation.url ? (
              <p>
                Source: <a href={metric.citation.url}>{metric.citation.text || metric.citation.url}</a>
              </p>
            ) : null}
            <p className="muted">
              <code>{metric.id}</code> v{metric.version}
              {metric.currentVersion !== null && metric.currentVersion !== metric.version
                ? ` (this code base computes v${metric.currentVersion}; this run used v${metric.version})`
                : ''}{' '}
              · <a href={`/metrics#${metric.id}`}>definition page</a>
            </p>
          </div>
        </details>
      </th>
      <td className="num">
        <span className="metric-value" data-testid="metric-value">
          {formatMetricValue(metric.value)}
        </span>
      </td>
      <td>
        {hasRange ? (
          <span className="range-inline" title={`range ${formatMetricValue(lo)} to ${formatMetricValue(hi)}`}>
            <span className="range-end">{formatMetricValue(lo)}</span>
            <span className="range-track" aria-hidden="true">
              <span className="range-fill" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
            </span>
            <span className="range-end">{formatMetricValue(hi)}</span>
          </span>
        ) : (
          <span className="muted">unbounded</span>
        )}
      </td>
      <td className="metric-rank" data-testid="metric-rank">
        {metric.rank !== null ? formatRank(metric.rank, metric.rankedHeads) : '—'}
      </td>
    </tr>
  );
}
