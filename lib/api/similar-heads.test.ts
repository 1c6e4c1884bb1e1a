import { describe, expect, it } from 'vitest';
import type { HeadRow } from './head-rows';
import { similarHeads } from './similar-heads';

const row = (layer: number, head: number, values: Record<string, number | null>): HeadRow =>
  ({ layer, head, name: `L${layer}H${head}`, values }) as HeadRow;

describe('similarHeads', () => {
  it('ranks by standardised distance: a metric in large units does not dominate', () => {
    const rows = [
      row(0, 0, { a: 0.9, b: 100 }),
      row(0, 1, { a: 0.1, b: 101 }), // nearest in b's raw units, but the opposite end of a
      row(0, 2, { a: 0.88, b: 130 }),
      row(0, 3, { a: 0.1, b: 300 }),
    ];
    const near = similarHeads(rows, ['a', 'b'], { layer: 0, head: 0 }, 3);
    expect(near.map((h) => h.name)).toEqual(['L0H2', 'L0H1', 'L0H3']);
    const std = (v: number[]) => {
      const m = v.reduce((x, y) => x + y, 0) / v.length;
      return Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / v.length);
    };
    const [sa, sb] = [std([0.9, 0.1, 0.88, 0.1]), std([100, 101, 130, 300])];
    expect(near[0].distance).toBeCloseTo(Math.sqrt(((0.02 / sa) ** 2 + (30 / sb) ** 2) / 2), 12);
  });

  it('drops metrics without spread and heads it cannot compare; unknown head → []', () => {
    const rows = [row(0, 0, { a: 1, c: 5 }), row(0, 1, { a: 0, c: 5 }), row(1, 0, { a: null, c: 5 })];
    expect(similarHeads(rows, ['a', 'c'], { layer: 0, head: 0 }).map((h) => [h.name, h.distance])).toEqual([['L0H1', 2]]);
    expect(similarHeads(rows, ['a'], { layer: 5, head: 0 })).toEqual([]);
  });
});
