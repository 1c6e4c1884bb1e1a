import { describe, expect, it } from 'vitest';
import { foldTies } from './fold-ties';

const rows = (...scores: number[]) => scores.map((score, token) => ({ token, score }));

describe('foldTies', () => {
  it('folds a run of three or more equal scores into one group, keeping the order', () => {
    const folded = foldTies(rows(0.9, 0.679, 0.679, 0.679, 0.6794, 0.5, 0.5));
    expect(folded.map((f) => (f.kind === 'one' ? f.row.token : `tie×${f.rows.length}`))).toEqual([0, 'tie×4', 5, 6]);
  });

  it('leaves lists without long ties alone', () => {
    expect(foldTies(rows(3, 2, 2, 1)).every((f) => f.kind === 'one')).toBe(true);
    expect(foldTies([])).toEqual([]);
  });

  it('compares at the precision shown', () => {
    expect(foldTies(rows(0.1234, 0.1231, 0.1229), 3)[0]).toMatchObject({ kind: 'tie', score: 0.1234 });
    expect(foldTies(rows(0.1234, 0.1231, 0.1229), 4).length).toBe(3);
  });
});
