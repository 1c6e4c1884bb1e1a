/**
 * docs/metrics.md's metric-specific parts, generated from the registry (scripts/docs-metrics.ts writes them):
 * the summary table, and each metric's heading, quoted definition and citation line. The prose around them stays
 * hand-written; only what lies between a marker and `<!-- /generated -->` is rewritten, so the docs cannot quote
 * a definition the code no longer has. lib/metrics/heads/metrics-doc.test.ts fails when the committed file is stale.
 */
import type { HeadMetric } from './types';

const END = '<!-- /generated -->';
const TABLE = 'head-metric-table';
const SECTION = 'head-metric';
const MARKER = /<!-- generated:([a-z-]+)(?: ([a-z0-9_]+))? -->/g;

const INPUT: Record<HeadMetric['needs'], string> = {
  weights: 'weights',
  'random-tokens': 'repeated random tokens',
  texts: "the run's natural texts",
};

/** Returns `doc` with every generated block rewritten from `metrics`; throws when a metric has no section or a marker is wrong. */
export function renderMetricsDoc(doc: string, metrics: readonly HeadMetric[]): string {
  const byId = new Map(metrics.map((m) => [m.id, m]));
  const seen = new Set<string>();
  let tables = 0;
  let out = '';
  let at = 0;
  for (const match of doc.matchAll(MARKER)) {
    const [marker, kind, id] = match;
    const start = match.index;
    if (start < at) throw new Error(`docs/metrics.md: ${marker} is inside another generated block`);
    const end = doc.indexOf(END, start + marker.length);
    if (end < 0) throw new Error(`docs/metrics.md: ${marker} has no ${END} after it`);
    let body: string;
    if (kind === TABLE && id === undefined) {
      tables++;
      body = metricTable(metrics);
    } else if (kind === SECTION && id !== undefined) {
      const metric = byId.get(id);
      if (!metric) throw new Error(`docs/metrics.md: ${marker} names no metric of the registry (lib/metrics/heads/registry.ts)`);
      if (seen.has(id)) throw new Error(`docs/metrics.md: ${marker} appears twice`);
      seen.add(id);
      body = metricSection(metric);
    } else {
      throw new Error(`docs/metrics.md: unknown marker ${marker} (known: <!-- generated:${TABLE} -->, <!-- generated:${SECTION} id -->)`);
    }
    out += doc.slice(at, start) + `${marker}\n${body}\n${END}`;
    at = end + END.length;
  }
  out += doc.slice(at);
  if (tables !== 1) throw new Error(`docs/metrics.md needs exactly one <!-- generated:${TABLE} --> block (found ${tables})`);
  const missing = metrics.filter((m) => !seen.has(m.id)).map((m) => m.id);
  if (missing.length > 0) {
    throw new Error(
      `docs/metrics.md has no section for ${missing.join(', ')}: add <!-- generated:${SECTION} ${missing[0]} -->${END} where it belongs`,
    );
  }
  return out;
}

function metricTable(metrics: readonly HeadMetric[]): string {
  const rows = metrics.map(
    (m) => `| [\`${m.id}\`](#${m.id}) | ${cell(m.title)} | ${range(m)} | ${m.version} | ${INPUT[m.needs]} | ${cell(m.summary)} |`,
  );
  return ['| id | title | range | version | input | summary |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

function metricSection(m: HeadMetric): string {
  const quoted = m.definition
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return [
    `### ${m.id}`,
    '',
    quoted,
    '',
    `Citation: ${m.citation.text} — <${m.citation.url}>. Range ${range(m)}, version ${m.version}, input: ${m.needs}.`,
  ].join('\n');
}

function range(m: HeadMetric): string {
  return `[${m.range[0]}, ${m.range[1]}]`;
}

/** A table cell: a `|` would end the cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
