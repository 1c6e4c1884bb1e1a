/** The distribution of a head's output norm over the corpus: a small server-rendered bar chart. */
import type { HeadStats } from '@/lib/db/head-examples';

export function NormHistogram({ stats, width = 360, height = 80 }: { stats: HeadStats; width?: number; height?: number }) {
  const bins = stats.normCounts.slice(1, -1);
  const max = Math.max(1, ...bins);
  const bw = width / bins.length;
  const outside = stats.normCounts[0] + stats.normCounts[stats.normCounts.length - 1];
  return (
    <figure className="norm-histogram" style={{ margin: '0.4rem 0' }}>
      <svg width={width} height={height + 16} role="img" aria-label="Histogram of the head's output norm">
        {bins.map((c, i) => {
          const h = (c / max) * height;
          return <rect key={i} x={i * bw} y={height - h} width={Math.max(1, bw - 1)} height={h} />;
        })}
        <line x1={0} x2={width} y1={height} y2={height} stroke="#9ca3af" />
        <text x={0} y={height + 13} fontSize={11} fill="#6b7280">
          {stats.normLo.toFixed(2)}
        </text>
        <text x={width} y={height + 13} fontSize={11} fill="#6b7280" textAnchor="end">
          {stats.normHi.toFixed(2)}
        </text>
      </svg>
      <figcaption className="small muted">
        ‖hook_result‖ over {stats.tokens.toLocaleString('en')} destination tokens: mean {stats.mean.toFixed(3)}, std {stats.std.toFixed(3)},
        max {stats.max.toFixed(3)}; median {stats.quantiles.find((q) => q.quantile === 0.5)?.value.toFixed(3) ?? '—'}
        {outside > 0 ? ` (${outside} outside the calibrated range)` : ''}.
      </figcaption>
    </figure>
  );
}
