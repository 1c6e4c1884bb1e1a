import { describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';

// Two metrics in the registry; the run stored values for both, plus a pattern for L1H2 only.
vi.mock('@/lib/metrics/heads/registry', () => {
  const metric = (id: string, title: string) => ({
    id,
    title,
    summary: `${title} summary`,
    definition: `${title} definition`,
    citation: { text: 'paper', url: 'https://example.org' },
    range: [0, 1],
    version: 1,
    needs: 'texts',
    compute: async () => [],
  });
  return { headMetrics: [metric('previous_token', 'Previous token'), metric('induction', 'Induction')] };
});
vi.mock('@/lib/db/head-metrics', () => ({
  getHeadMetrics: async () => {
    const values = [];
    // 2 layers × 4 heads; induction grows with the head index, previous-token peaks at L0H1.
    for (let layer = 0; layer < 2; layer++) {
      for (let head = 0; head < 4; head++) {
        values.push({ layer, head, metricId: 'induction', metricVersion: 1, value: layer * 0.4 + head * 0.1 });
        values.push({ layer, head, metricId: 'previous_token', metricVersion: 1, value: layer === 0 && head === 1 ? 0.9 : 0.1 });
      }
    }
    return values;
  },
}));
vi.mock('@/lib/db/head-patterns', () => ({
  getHeadPattern: async (_run: string, layer: number, head: number) =>
    layer === 1 && head === 2
      ? {
          tokens: ['<s>', '▁a'],
          pattern: [
            [1, 0],
            [0.25, 0.75],
          ],
        }
      : null,
}));

const { headExists, loadHeadDetail, loadHeadTable } = await import('./head-data');

const model = { slug: 'toy', nLayers: 2, nHeads: 4, nKvHeads: 2 } as ModelInfo;
const run = { id: 'r1' } as RunInfo;

describe('head data', () => {
  it('builds the table from the registry and the run', async () => {
    const { metrics, rows } = await loadHeadTable(model, run);
    expect(metrics.map((m) => m.id)).toEqual(['previous_token', 'induction']);
    expect(rows).toHaveLength(8);
    expect(rows[5]).toEqual({ layer: 1, head: 1, name: 'L1H1', values: { previous_token: 0.1, induction: 0.5 } });
  });

  it('gives a head its values, ranks, key/value head and pattern', async () => {
    const d = await loadHeadDetail(model, run, 1, 2);
    expect(d.name).toBe('L1H2');
    expect(d.kvHead).toBe(1); // 4 query heads share 2 kv heads: heads 2 and 3 read kv head 1
    const induction = d.metrics.find((m) => m.id === 'induction')!;
    expect(induction.value).toBeCloseTo(0.6, 12);
    expect(induction.rank).toBe(2); // only L1H3 (0.7) is higher
    expect(induction.rankedHeads).toBe(8);
    const prev = d.metrics.find((m) => m.id === 'previous_token')!;
    expect(prev.rank).toBe(2); // ties with six others behind L0H1
    expect(d.pattern).toEqual({
      tokens: ['<s>', '▁a'],
      pattern: [
        [1, 0],
        [0.25, 0.75],
      ],
    });
    expect((await loadHeadDetail(model, run, 0, 0)).pattern).toBeNull();
  });

  it('refuses heads the model does not have', async () => {
    expect(headExists(model, 1, 3)).toBe(true);
    expect(headExists(model, 2, 0)).toBe(false);
    expect(headExists(model, 0, 4)).toBe(false);
    await expect(loadHeadDetail(model, run, 2, 0)).rejects.toThrow('toy has no head L2H0 (2 layers × 4 heads)');
  });
});
