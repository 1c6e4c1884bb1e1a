import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findHeadMetric, getHeadMetric, headMetrics } from './registry';

const docs = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/metrics.md'), 'utf8');

describe('head metric registry', () => {
  it('lists the implemented metrics in display order', () => {
    expect(headMetrics.map((m) => m.id)).toEqual([
      'previous_token',
      'duplicate_token',
      'induction',
      'induction_tl',
      'prefix_matching',
      'previous_token_natural',
      'self_attention',
      'attention_entropy',
      'attention_distance_mean',
      'attention_distance_variance',
      'induction_natural',
      'copying_ov',
      'copying_full',
      'successor',
      'direct_logit_attribution',
    ]);
    expect(headMetrics.map((m) => m.needs)).toEqual([
      'texts',
      'texts',
      'random-tokens',
      'random-tokens',
      'random-tokens',
      'texts',
      'texts',
      'texts',
      'texts',
      'texts',
      'texts',
      'weights',
      'weights',
      'weights',
      'texts',
    ]);
  });

  it('every metric describes itself completely', () => {
    for (const m of headMetrics) {
      expect(m.id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(m.title.length).toBeGreaterThan(3);
      expect(m.summary).toMatch(/\.$/);
      expect(m.definition.length).toBeGreaterThan(100);
      expect(m.citation.text.length).toBeGreaterThan(10);
      expect(m.citation.url).toMatch(/^https:\/\//);
      expect(m.range[0]).toBeLessThan(m.range[1]);
      expect(m.range.every(Number.isFinite)).toBe(true);
      expect(Number.isInteger(m.version) && m.version >= 1).toBe(true);
    }
  });

  it('docs/metrics.md carries every definition word for word', () => {
    for (const m of headMetrics) {
      expect(docs).toContain(`### ${m.id}\n`);
      expect(docs).toContain(`> ${m.definition}\n`);
    }
  });

  it('looks metrics up by id', () => {
    expect(getHeadMetric('induction').title).toBe('Induction');
    expect(findHeadMetric('induction_tl')?.id).toBe('induction_tl');
    expect(findHeadMetric('nope')).toBeUndefined();
    expect(() => getHeadMetric('nope')).toThrow(
      'unknown head metric "nope"; known: previous_token, duplicate_token, induction, induction_tl, prefix_matching,',
    );
  });
});
