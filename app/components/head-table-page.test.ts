import { describe, expect, it } from 'vitest';
import type { HeadRow } from '@/lib/api/head-rows';
import { HEAD_PAGE_SIZE, headTablePage } from './head-table-page';

/** A model's rows with a planted metric: induction = layer + head / 100. */
function rows(nLayers: number, nHeads: number): HeadRow[] {
  const out: HeadRow[] = [];
  for (let l = 0; l < nLayers; l++)
    for (let h = 0; h < nHeads; h++) out.push({ layer: l, head: h, name: `L${l}H${h}`, values: { induction: l + h / 100 } });
  return out;
}

describe('headTablePage', () => {
  it('gives a model that fits one page all its heads, unpaged (the table sorts them in place)', () => {
    const r = rows(5, 8);
    expect(headTablePage(r, ['induction'], { dir: 'asc' }, '3')).toEqual({ rows: r });
  });

  it('pages a big model after filtering and sorting the whole model, as the API does', () => {
    const r = rows(48, 25);
    const first = headTablePage(r, ['induction'], { sort: 'induction', dir: 'desc' }, undefined);
    expect(first.paging).toEqual({ page: 1, pages: 24, pageSize: HEAD_PAGE_SIZE, matching: 1200, total: 1200 });
    expect(first.rows[0].name).toBe('L47H24');
    const third = headTablePage(r, ['induction'], { sort: 'induction', dir: 'desc' }, '3');
    expect(third.rows[0].name).toBe('L43H24'); // 2 pages × 50 heads = layers 47–44 before it
    expect(third.rows).toHaveLength(HEAD_PAGE_SIZE);

    const filtered = headTablePage(r, ['induction'], { sort: 'induction', dir: 'asc', layer: 7, min: 7.1 }, undefined);
    expect(filtered.paging).toMatchObject({ matching: 15, pages: 1, total: 1200 });
    expect(filtered.rows.map((x) => x.head)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it('reads a bad or too large ?page= as the nearest page', () => {
    const r = rows(48, 25);
    expect(headTablePage(r, [], { dir: 'asc' }, 'x').paging?.page).toBe(1);
    expect(headTablePage(r, [], { dir: 'asc' }, '-2').paging?.page).toBe(1);
    expect(headTablePage(r, [], { dir: 'asc' }, '999').paging?.page).toBe(24);
  });
});
