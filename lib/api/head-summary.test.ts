import { describe, expect, it } from 'vitest';
import type { HeadBadge } from './head-labels-view';
import { headSummary, standoutMetrics, type SummaryMetric } from './head-summary';

const badge = (over: Partial<HeadBadge>): HeadBadge => ({
  label: 'previous_token',
  title: 'Previous-token head',
  status: 'confirmed',
  effect: 0.93,
  effectUnit: 'score',
  effectThreshold: 0.05,
  score: 0.98,
  metricId: 'previous_token',
  threshold: 0.3,
  detail: '',
  ...over,
});
const metric = (id: string, rank: number | null, value: number | null = 0.5, rankedHeads = 40): SummaryMetric => ({
  id,
  title: id,
  value,
  rank,
  rankedHeads,
});

describe('head summary', () => {
  it('says what the labels claim and whether ablation backs them, confirmed first', () => {
    const s = headSummary(
      'L0H1',
      [
        badge({ label: 'copying', title: 'Copying head', status: 'not_confirmed', metricId: 'copying_full', score: 0.9, threshold: 0.7 }),
        badge({}),
      ],
      [],
    );
    expect(s[0]).toBe('L0H1 is a previous-token head (previous_token 0.980 ≥ 0.3), confirmed by ablation (effect +0.930 score).');
    expect(s[1]).toBe('L0H1 scores as a copying head (copying_full 0.900 ≥ 0.7), but ablating it does not confirm it.');
    expect(headSummary('L4H0', [badge({ status: 'untestable', effect: null })], [])[0]).toMatch(/untestable in this model/);
    expect(headSummary('L2H2', [badge({ title: 'Induction head', label: 'induction' })], [])[0]).toMatch(/^L2H2 is an induction head/);
  });

  it('names the metrics where the head ranks in the top 3 or top 10 %, best rank first', () => {
    const metrics = [metric('a', 5), metric('b', 1, 0.9), metric('c', 4), metric('d', 12), metric('e', null, null), metric('f', 2, 0.7)];
    // Top 10 % of 40 heads = 4: b (1st), f (2nd), c (4th); a (5th) and d are not standouts.
    expect(standoutMetrics(metrics).map((m) => m.id)).toEqual(['b', 'f', 'c']);
    expect(headSummary('L1H1', [], metrics)).toEqual([
      'L1H1 has no claimed label: none of its scores passes a label threshold.',
      'It ranks 1st of 40 on b (0.900), 2nd of 40 on f (0.700), 4th of 40 on c (0.500).',
    ]);
    expect(headSummary('L1H1', [], [metric('a', 20)])[1]).toMatch(/None of its scores/);
    expect(standoutMetrics([metric('a', 1, 0.5, 1)])).toEqual([]);
  });
});
