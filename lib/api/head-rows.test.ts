import { describe, expect, it } from 'vitest';
import type { HeadMetricValue } from '@/lib/db/head-metrics';
import { buildHeadRows, filterHeadRows, flattenHeadRow, headRowsToCsv, metricGrid, rankHeads, sortHeadRows } from './head-rows';

const ids = ['previous_token', 'induction'];
const dims = { nLayers: 2, nHeads: 2 };
function v(layer: number, head: number, metricId: string, value: number): HeadMetricValue {
  return { layer, head, metricId, metricVersion: 1, value };
}
// L0H1 is a previous-token head, L1H0 an induction head; L1H1 has no induction value.
const values: HeadMetricValue[] = [
  v(0, 0, 'previous_token', 0.1),
  v(0, 1, 'previous_token', 0.9),
  v(1, 0, 'previous_token', 0.2),
  v(1, 1, 'previous_token', 0.2),
  v(0, 0, 'induction', 0.05),
  v(0, 1, 'induction', 0.01),
  v(1, 0, 'induction', 0.8),
  v(0, 0, 'copying', 0.3), // not requested: ignored
];
const rows = buildHeadRows(values, dims, ids);

describe('head rows', () => {
  it('pivots values into one row per head, missing values as null', () => {
    expect(rows.map((r) => r.name)).toEqual(['L0H0', 'L0H1', 'L1H0', 'L1H1']);
    expect(rows[1]).toEqual({ layer: 0, head: 1, name: 'L0H1', values: { previous_token: 0.9, induction: 0.01 } });
    expect(rows[3].values).toEqual({ previous_token: 0.2, induction: null });
  });

  it('rejects values outside the model and metric ids that shadow columns', () => {
    expect(() => buildHeadRows([v(2, 0, 'induction', 1)], dims, ids)).toThrow(
      /L2H0 \(induction\) is outside the model's 2 layers × 2 heads/,
    );
    expect(() => buildHeadRows([], dims, ['layer'])).toThrow(/collides/);
  });

  it('sorts by a metric with missing values last in both directions, ties in model order', () => {
    expect(sortHeadRows(rows, 'induction', 'desc').map((r) => r.name)).toEqual(['L1H0', 'L0H0', 'L0H1', 'L1H1']);
    expect(sortHeadRows(rows, 'induction', 'asc').map((r) => r.name)).toEqual(['L0H1', 'L0H0', 'L1H0', 'L1H1']);
    expect(sortHeadRows(rows, 'previous_token', 'desc').map((r) => r.name)).toEqual(['L0H1', 'L1H0', 'L1H1', 'L0H0']);
    expect(sortHeadRows(rows, 'name', 'desc').map((r) => r.name)).toEqual(['L1H1', 'L1H0', 'L0H1', 'L0H0']);
  });

  it('filters by layer and by a minimum value', () => {
    expect(filterHeadRows(rows, { layer: 1 }).map((r) => r.name)).toEqual(['L1H0', 'L1H1']);
    expect(filterHeadRows(rows, { minMetric: 'induction', min: 0.05 }).map((r) => r.name)).toEqual(['L0H0', 'L1H0']);
    expect(filterHeadRows(rows, { layer: 0, minMetric: 'previous_token', min: 0.5 }).map((r) => r.name)).toEqual(['L0H1']);
    expect(() => filterHeadRows(rows, { min: 0.5 })).toThrow(/must be given together/);
  });

  it('ranks heads, ties sharing a rank, missing values unranked', () => {
    const prev = rankHeads(rows, 'previous_token');
    expect(Object.fromEntries(prev)).toEqual({ L0H1: 1, L1H0: 2, L1H1: 2, L0H0: 4 });
    const ind = rankHeads(rows, 'induction');
    expect(ind.size).toBe(3);
    expect(ind.get('L1H1')).toBeUndefined();
  });

  it('builds heatmap grids, flat API rows and CSV', () => {
    expect(metricGrid(rows, 'induction', dims)).toEqual([
      [0.05, 0.01],
      [0.8, null],
    ]);
    expect(flattenHeadRow(rows[2], ids)).toEqual({ layer: 1, head: 0, name: 'L1H0', previous_token: 0.2, induction: 0.8 });
    expect(headRowsToCsv(rows, ids)).toBe(
      'layer,head,name,previous_token,induction\n0,0,L0H0,0.1,0.05\n0,1,L0H1,0.9,0.01\n1,0,L1H0,0.2,0.8\n1,1,L1H1,0.2,\n',
    );
  });
});
