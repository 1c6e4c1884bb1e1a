import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMetricsDoc } from './metrics-doc';
import { headMetrics } from './registry';
import type { HeadMetric } from './types';

const docsPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/metrics.md');

function fakeMetric(id: string, definition: string, version = 1): HeadMetric {
  return {
    id,
    title: `Title ${id}`,
    summary: `Summary of ${id} | with a pipe.`,
    definition,
    citation: { text: `Author on ${id}`, url: `https://example.org/${id}` },
    range: [-1, 1],
    version,
    needs: 'weights',
    compute: async () => [],
  };
}

const template = [
  'Hand-written intro.',
  '',
  '<!-- generated:head-metric-table -->',
  'an old table',
  '<!-- /generated -->',
  '',
  '<!-- generated:head-metric b_metric -->',
  '<!-- /generated -->',
  '',
  'A hand-written note about b that must survive.',
  '',
  '<!-- generated:head-metric a_metric -->',
  '### a_metric',
  '',
  '> an outdated definition',
  '<!-- /generated -->',
  '',
].join('\n');

describe('docs/metrics.md generated from the registry', () => {
  it('the committed docs/metrics.md is what the registry generates (else: npm run docs:metrics)', () => {
    const committed = fs.readFileSync(docsPath, 'utf8');
    expect(renderMetricsDoc(committed, headMetrics), 'docs/metrics.md is stale: run `npm run docs:metrics`').toBe(committed);
    for (const m of headMetrics) expect(committed).toContain(`### ${m.id}\n\n> ${m.definition}\n`);
  });

  it('rewrites the table and each section in place, keeping the prose around them', () => {
    const metrics = [fakeMetric('a_metric', 'A is defined so.'), fakeMetric('b_metric', 'B is defined so.', 3)];
    const out = renderMetricsDoc(template, metrics);
    expect(out).toBe(
      [
        'Hand-written intro.',
        '',
        '<!-- generated:head-metric-table -->',
        '| id | title | range | version | input | summary |',
        '|---|---|---|---|---|---|',
        '| [`a_metric`](#a_metric) | Title a_metric | [-1, 1] | 1 | weights | Summary of a_metric \\| with a pipe. |',
        '| [`b_metric`](#b_metric) | Title b_metric | [-1, 1] | 3 | weights | Summary of b_metric \\| with a pipe. |',
        '<!-- /generated -->',
        '',
        '<!-- generated:head-metric b_metric -->',
        '### b_metric',
        '',
        '> B is defined so.',
        '',
        'Citation: Author on b_metric — <https://example.org/b_metric>. Range [-1, 1], version 3, input: weights.',
        '<!-- /generated -->',
        '',
        'A hand-written note about b that must survive.',
        '',
        '<!-- generated:head-metric a_metric -->',
        '### a_metric',
        '',
        '> A is defined so.',
        '',
        'Citation: Author on a_metric — <https://example.org/a_metric>. Range [-1, 1], version 1, input: weights.',
        '<!-- /generated -->',
        '',
      ].join('\n'),
    );
    // Generating twice changes nothing; a changed definition changes the doc.
    expect(renderMetricsDoc(out, metrics)).toBe(out);
    const changed = renderMetricsDoc(out, [fakeMetric('a_metric', 'A, redefined.'), metrics[1]]);
    expect(changed).toContain('> A, redefined.\n');
    expect(changed).not.toContain('A is defined so.');
  });

  it('refuses a registry metric without a section, an unknown or repeated metric, and an unclosed block', () => {
    const a = fakeMetric('a_metric', 'A.');
    const b = fakeMetric('b_metric', 'B.');
    expect(() => renderMetricsDoc(template, [a, b, fakeMetric('c_metric', 'C.')])).toThrow(
      'docs/metrics.md has no section for c_metric: add <!-- generated:head-metric c_metric --><!-- /generated -->',
    );
    expect(() => renderMetricsDoc(template, [a])).toThrow('<!-- generated:head-metric b_metric --> names no metric of the registry');
    expect(() => renderMetricsDoc(template + '<!-- generated:head-metric a_metric -->\n<!-- /generated -->\n', [a, b])).toThrow(
      'appears twice',
    );
    expect(() => renderMetricsDoc(template + '<!-- generated:head-metric a_metric -->\n', [a, b])).toThrow('has no <!-- /generated -->');
    expect(() =>
      renderMetricsDoc(template.replace('<!-- generated:head-metric-table -->\nan old table\n<!-- /generated -->', ''), [a, b]),
    ).toThrow('needs exactly one <!-- generated:head-metric-table --> block (found 0)');
    expect(() => renderMetricsDoc(template + '<!-- generated:other -->\n<!-- /generated -->', [a, b])).toThrow('unknown marker');
  });
});
