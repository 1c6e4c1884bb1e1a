/** The neuron's statistics against random directions in the same activation space (open problem 6.31). */
import type { baselineComparison } from '@/lib/api/neuron-data';

const LABEL: Record<string, string> = {
  max: 'max activation',
  density: 'density (fraction > 0)',
  skewness: 'skewness',
  kurtosis: 'excess kurtosis',
  topTokenShare: 'top-token share',
};

export function BaselineTable({ rows, directions }: { rows: ReturnType<typeof baselineComparison>; directions: number }) {
  return (
    <table className="baseline-table" data-testid="baseline-table">
      <thead>
        <tr>
          <th>statistic</th>
          <th>this neuron</th>
          <th>random directions (mean ± std, n = {directions})</th>
          <th>z</th>
          <th>above % of directions</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td>{LABEL[r.name] ?? r.name}</td>
            <td className="num">{r.value.toFixed(3)}</td>
            <td className="num">
              {r.mean.toFixed(3)} ± {r.std.toFixed(3)}
            </td>
            <td className="num">{r.z === null ? '—' : r.z.toFixed(1)}</td>
            <td className="num">{Math.round(r.percentile * 100)} %</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
