import { describe, expect, it } from 'vitest';
import { fixtureHeadRoles } from '../api/openapi/circuit-fixtures';
import type { HeadLabelValue } from '../db/head-labels';
import { LITERATURE, literatureFor, validateClaims, type LiteratureClaim } from './heads';
import { judgeClaim } from './verdict';

describe('literature annotations', () => {
  it("lists Wang et al.'s IOI heads and McDougall et al.'s copy suppression head for GPT-2 small", () => {
    const names = (role: string) =>
      LITERATURE.filter((c) => c.model === 'gpt2-small' && c.role === role)
        .map((c) => `${c.layer}.${c.head}`)
        .sort();
    expect(names('name mover')).toEqual(['10.0', '9.6', '9.9']);
    expect(names('negative name mover')).toEqual(['10.7', '11.10']);
    expect(names('S-inhibition')).toEqual(['7.3', '7.9', '8.10', '8.6']);
    expect(names('copy suppression')).toEqual(['10.7']);
    expect(literatureFor('gpt2-small', 10, 7).map((c) => c.role)).toEqual(['negative name mover', 'copy suppression']);
    expect(literatureFor('gpt2-small', 11, 10).map((c) => c.role)).toEqual(['negative name mover', 'copy suppression (weaker)']);
    // GPT-2 small has 12 layers × 12 heads.
    for (const c of LITERATURE) expect(c.layer < 12 && c.head < 12).toBe(true);
  });

  it('refuses a malformed or duplicated claim', () => {
    const good = LITERATURE[0];
    expect(() => validateClaims([{ ...good, layer: -1 }])).toThrow(/L-1H/);
    expect(() => validateClaims([{ ...good, citation: { text: 'x', url: 'not a url' } }])).toThrow();
    expect(() => validateClaims([good, good])).toThrow(/twice/);
  });
});

describe('judgeClaim', () => {
  const claim = (check: LiteratureClaim['check'], layer = 1, head = 1): LiteratureClaim => ({
    model: 'm',
    layer,
    head,
    role: 'r',
    check,
    citation: { text: 't', url: 'https://example.org' },
    where: 'w',
  });
  const roles = fixtureHeadRoles();
  const label = (layer: number, head: number, status: HeadLabelValue['status']): HeadLabelValue => ({
    layer,
    head,
    label: 'previous_token',
    metricId: 'previous_token',
    score: 0.9,
    threshold: 0.3,
    status,
    effect: 0.2,
    effectThreshold: 0.05,
    effectUnit: 'score',
    detail: 'd',
    ablation: 'mean',
  });

  it('roles: yes → agrees, no → disagrees, untestable or unmeasured → untestable', () => {
    expect(judgeClaim(claim({ kind: 'role', role: 'name_mover' }), roles, []).verdict).toBe('agrees');
    expect(judgeClaim(claim({ kind: 'role', role: 'name_mover' }, 0, 0), roles, []).verdict).toBe('disagrees');
    expect(judgeClaim(claim({ kind: 'role', role: 'fact_mover' }), roles, []).verdict).toBe('untestable');
    expect(judgeClaim(claim({ kind: 'role', role: 'copy_suppression' }), roles, []).verdict).toBe('untestable');
    expect(judgeClaim(claim({ kind: 'role', role: 'name_mover' }), null, null).verdict).toBe('untestable');
  });

  it('labels: confirmed → agrees; claimed elsewhere but not here → disagrees; never claimed → untestable', () => {
    const check = { kind: 'label', label: 'previous_token' } as const;
    expect(judgeClaim(claim(check), roles, [label(1, 1, 'confirmed')]).verdict).toBe('agrees');
    expect(judgeClaim(claim(check), roles, [label(1, 1, 'not_confirmed')]).verdict).toBe('disagrees');
    expect(judgeClaim(claim(check), roles, [label(0, 1, 'confirmed')]).verdict).toBe('disagrees');
    expect(judgeClaim(claim(check), roles, []).verdict).toBe('untestable');
  });
});
