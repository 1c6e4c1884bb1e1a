import { describe, expect, it } from 'vitest';
import { compareHeadTables } from './compare';
import type { HeadTableData } from './head-data';
import type { MetricDescriptor } from './metric-descriptor';

const metric = (id: string, version = 1): MetricDescriptor => ({
  id,
  title: id,
  summary: '',
  definition: '',
  citation: { text: '', url: '' },
  range: [0, 1],
  version,
  currentVersion: version,
});

/** 1 layer × 3 heads. */
function table(metrics: MetricDescriptor[], values: Record<string, (number | null)[]>): HeadTableData {
  return {
    metrics,
    rows: [0, 1, 2].map((head) => ({
      layer: 0,
      head,
      name: `L0H${head}`,
      values: Object.fromEntries(metrics.map((m) => [m.id, values[m.id]?.[head] ?? null])),
    })),
  };
}

describe('compareHeadTables', () => {
  it('gives b − a per head and the per-metric summary', () => {
    const a = table([metric('induction'), metric('only_a')], { induction: [0.1, 0.5, 0.9], only_a: [1, 1, 1] });
    const b = table([metric('induction', 2), metric('only_b')], { induction: [0.2, 0.5, 0.3], only_b: [0, 0, 0] });
    const c = compareHeadTables(a, b);
    expect(c.onlyInA).toEqual(['only_a']);
    expect(c.onlyInB).toEqual(['only_b']);
    expect(c.heads.map((h) => h.metrics.induction.diff)).toEqual([0.2 - 0.1, 0, 0.3 - 0.9]);
    const s = c.metrics[0];
    expect(s).toMatchObject({ id: 'induction', versionA: 1, versionB: 2, heads: 3, maxAbsDiffHead: 'L0H2' });
    expect(s.maxAbsDiff).toBeCloseTo(0.6, 12);
    expect(s.meanAbsDiff).toBeCloseTo((0.1 + 0 + 0.6) / 3, 12);
    // x − x̄ = [−0.4, 0, 0.4], y − ȳ = [−2/15, 1/6, −1/30]: Σdxdy = 0.04, Σdx² = 0.32, Σdy² = 42/900.
    expect(s.correlation).toBeCloseTo(0.04 / Math.sqrt(0.32 * (42 / 900)), 12);
  });

  it('identical runs: zero differences and correlation 1', () => {
    const a = table([metric('m')], { m: [0.1, 0.4, 0.8] });
    const c = compareHeadTables(a, a);
    expect(c.metrics[0]).toMatchObject({ meanAbsDiff: 0, maxAbsDiff: 0 });
    expect(c.metrics[0].correlation).toBeCloseTo(1, 12);
  });

  it('skips heads missing in either run', () => {
    const a = table([metric('m')], { m: [0.1, null, 0.8] });
    const b = table([metric('m')], { m: [0.2, 0.3, null] });
    const c = compareHeadTables(a, b);
    expect(c.heads[1].metrics.m).toEqual({ a: null, b: 0.3, diff: null });
    expect(c.metrics[0].heads).toBe(1);
    expect(c.metrics[0].correlation).toBeNull();
  });
});
