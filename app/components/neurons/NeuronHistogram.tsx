/**
 * A neuron's activation histogram with its quantiles marked (d3 scales, rendered to SVG on the server).
 * Bars are the 50 equal bins over the calibrated range; counts outside it are reported in the caption.
 */
import { scaleLinear, scaleSymlog } from 'd3';
import type { NeuronStatsRow } from '@/lib/db/neurons';

export function NeuronHistogram({ stats, width = 520, height = 120 }: { stats: NeuronStatsRow; width?: number; height?: number }) {
  const counts = stats.histogram.slice(1, -1);
  const bins = counts.length;
  const margin = { left: 36, right: 8, top: 18, bottom: 22 };
  const x = scaleLinear()
    .domain([stats.histLo, stats.histHi])
    .range([margin.left, width - margin.right]);
  // Symlog: most neurons are near zero most of the time; a linear axis would hide the tail that matters.
  const y = scaleSymlog()
    .domain([0, Math.max(1, ...counts)])
    .range([height - margin.bottom, margin.top]);
  const bw = (width - margin.left - margin.right) / bins;
  const outside = stats.histogram[0] + stats.histogram[stats.histogram.length - 1];
  // Scans since NEURON_SCAN_VERSION 4 bin a keyed subsample of the tokens (workers/neurons/scan.ts, sampleEvery).
  const binned = stats.histogram.reduce((a, b) => a + b, 0);
  const ticks = x.ticks(6);
  return (
    <figure className="neuron-histogram" data-testid="neuron-histogram">
      <svg width={width} height={height} role="img" aria-label="Histogram of the neuron's activations with quantile marks">
        {counts.map((c, i) => (
          <rect key={i} x={margin.left + i * bw} y={y(c)} width={Math.max(1, bw - 1)} height={y(0) - y(c)} className="bar">
            <title>{`[${(stats.histLo + (i * (stats.histHi - stats.histLo)) / bins).toFixed(3)}, ${(stats.histLo + ((i + 1) * (stats.histHi - stats.histLo)) / bins).toFixed(3)}): ${c.toLocaleString('en')} tokens`}</title>
          </rect>
        ))}
        <line x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} stroke="#9ca3af" />
        {ticks.map((t) => (
          <text key={t} x={x(t)} y={height - 6} fontSize={10} fill="#6b7280" textAnchor="middle">
            {t}
          </text>
        ))}
        {quantileMarks(stats, x).map((m) => (
          <g key={m.level} data-testid="quantile-mark">
            <title>{`${m.level}% quantile: ${m.value.toFixed(3)}`}</title>
            <line x1={m.x} x2={m.x} y1={margin.top - 4} y2={y(0)} stroke="#7c3aed" strokeDasharray="3 2" />
            {m.labelled ? (
              <text x={m.x} y={margin.top - 6} fontSize={9} fill="#7c3aed" textAnchor="middle">
                {m.level}%
              </text>
            ) : null}
          </g>
        ))}
        {stats.maxAct >= stats.histLo && stats.maxAct <= stats.histHi ? (
          <line x1={x(stats.maxAct)} x2={x(stats.maxAct)} y1={margin.top} y2={y(0)} stroke="#dc2626" />
        ) : null}
      </svg>
      <figcaption className="small muted">
        {stats.count.toLocaleString('en')} tokens · quantiles{' '}
        {stats.quantiles.map((q, i) => `${Math.round(stats.quantileLevels[i] * 100)}%: ${q.toFixed(3)}`).join(', ')} · max{' '}
        {stats.maxAct.toFixed(3)} (red)
        {outside > 0 ? ` · ${outside} outside the calibrated range` : ''}. Counts on a symlog scale.
        {binned < stats.count ? (
          <span data-testid="histogram-sampled">
            {' '}
            Histogram, quantiles and quantile examples from a keyed sample of {binned.toLocaleString('en')} of the{' '}
            {stats.count.toLocaleString('en')} tokens (the same tokens for every neuron); the other statistics use every token.
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

/**
 * Quantile marks inside the drawn range; a label only where it does not collide with the previous label
 * (quantiles of a sparse neuron bunch up near 0; the caption lists every value, and each mark has a tooltip).
 */
function quantileMarks(stats: NeuronStatsRow, x: (v: number) => number): { level: number; value: number; x: number; labelled: boolean }[] {
  let lastLabel = -Infinity;
  return stats.quantiles.flatMap((value, i) => {
    if (!(value >= stats.histLo && value <= stats.histHi)) return [];
    const at = x(value);
    const labelled = at - lastLabel >= 24;
    if (labelled) lastLabel = at;
    return [{ level: Math.round(stats.quantileLevels[i] * 100), value, x: at, labelled }];
  });
}
