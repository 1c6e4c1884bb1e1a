/**
 * Runs a parsed query against the database: models, heads, neurons, metric thresholds (on each
 * model's latest published run) and example text (through providers.ts). Results are links.
 */
import { loadHeadTable } from '@/lib/api/head-data';
import { listModels, type ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';
import { headName } from '@/lib/format/head-name';
import { formatMetricValue } from '@/lib/format/numbers';
import { headPath, modelPath, queryString } from '@/lib/format/paths';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { parseSearchQuery, passes, type ParsedQuery, type Threshold } from './parse';
import { matchMetrics } from './metric-match';
import { TEXT_SEARCH_PROVIDERS } from './providers';
import type { SearchResult } from './types';

/** Most results one search returns (then paginated by the API). */
export const MAX_RESULTS = 2000;

export interface SearchOutcome {
  query: string;
  parsed: ParsedQuery;
  results: SearchResult[];
}

/** The metric a user typed in a threshold: the best of the metrics the word names (metric-match.ts). */
export function resolveMetric(word: string, ids: readonly string[], titles: ReadonlyMap<string, string>): string | null {
  return (
    matchMetrics(
      word,
      ids.map((id) => ({ id, title: titles.get(id) ?? id })),
    )[0] ?? null
  );
}

function neuronPath(model: string, layer: number, neuron: number, runId?: string): string {
  return `${modelPath(model, runId)}/neurons/${layer}/${neuron}`;
}

function opText(t: Threshold): string {
  return `${t.metric} ${t.op} ${t.value}`;
}

export async function runSearch(q: string): Promise<SearchOutcome> {
  const parsed = parseSearchQuery(q);
  const results: SearchResult[] = [];
  const models = await listModels();

  // Scope: a model: qualifier, or free words that name a model exactly.
  let scope = models;
  const text: string[] = [];
  const named = new Set<string>();
  for (const word of parsed.text) {
    const exact = models.find((m) => m.slug.toLowerCase() === word.toLowerCase());
    if (exact) named.add(exact.slug);
    else text.push(word);
  }
  if (parsed.model) {
    const m = models.find((x) => x.slug.toLowerCase() === parsed.model!.toLowerCase());
    if (!m) parsed.problems.push(`model: no model "${parsed.model}"`);
    scope = m ? [m] : [];
  } else if (named.size > 0) {
    scope = models.filter((m) => named.has(m.slug));
  }
  const onlyModels = parsed.heads.length + parsed.neurons.length + parsed.thresholds.length + text.length === 0;
  for (const m of models) {
    const hay = `${m.slug} ${m.displayName}`.toLowerCase();
    if (
      named.has(m.slug) ||
      (onlyModels && parsed.model?.toLowerCase() === m.slug.toLowerCase()) ||
      text.some((w) => hay.includes(w.toLowerCase()))
    ) {
      results.push({
        kind: 'model',
        title: m.displayName,
        description: `${m.architecture}, ${m.nLayers} layers × ${m.nHeads} heads`,
        url: modelPath(m.slug),
      });
    }
  }

  const withRuns = scope.filter((m): m is ModelInfo & { latestRun: RunInfo } => m.latestRun !== null);

  for (const ref of parsed.heads) {
    let found = false;
    for (const m of withRuns) {
      if (ref.layer < m.nLayers && ref.head < m.nHeads) {
        found = true;
        results.push({
          kind: 'head',
          title: `${m.slug} ${headName(ref.layer, ref.head)}`,
          description: `Head ${ref.head} of layer ${ref.layer}`,
          url: headPath(m.slug, ref.layer, ref.head),
        });
      }
    }
    if (!found) parsed.problems.push(`${headName(ref.layer, ref.head)}: no model in scope has this head`);
  }
  for (const ref of parsed.neurons) {
    let found = false;
    for (const m of withRuns) {
      if (ref.layer < m.nLayers && ref.neuron < m.dMlp) {
        found = true;
        results.push({
          kind: 'neuron',
          title: `${m.slug} L${ref.layer}N${ref.neuron}`,
          description: `MLP neuron ${ref.neuron} of layer ${ref.layer}`,
          url: neuronPath(m.slug, ref.layer, ref.neuron),
        });
      }
    }
    if (!found) parsed.problems.push(`L${ref.layer}N${ref.neuron}: no model in scope has this neuron`);
  }

  // Free words that name a metric link to its definition.
  const registryIds = headMetrics.map((m) => m.id);
  const titles = new Map(headMetrics.map((m) => [m.id, m.title]));
  for (const word of text) {
    for (const id of matchMetrics(
      word,
      registryIds.map((mid) => ({ id: mid, title: titles.get(mid) ?? mid })),
    )) {
      results.push({
        kind: 'metric',
        title: titles.get(id) ?? id,
        description: `Metric ${id}: definition and citation`,
        url: `/metrics#${id}`,
      });
    }
  }

  if (parsed.thresholds.length > 0) {
    for (const m of withRuns) {
      const table = await loadHeadTable(m, m.latestRun);
      const ids = table.metrics.map((x) => x.id);
      const tTitles = new Map(table.metrics.map((x) => [x.id, x.title]));
      const resolved = parsed.thresholds.map((t) => ({ t, id: resolveMetric(t.metric, ids, tTitles) }));
      const missing = resolved.filter((r) => r.id === null);
      if (missing.length > 0) {
        parsed.problems.push(`${m.slug}: no metric ${missing.map((r) => `"${r.t.metric}"`).join(', ')}; metrics: ${ids.join(', ')}`);
        continue;
      }
      const first = resolved[0].id!;
      const hits = table.rows
        .filter((row) => resolved.every(({ t, id }) => row.values[id!] !== null && passes(row.values[id!]!, t)))
        .sort((a, b) => (b.values[first] ?? 0) - (a.values[first] ?? 0));
      for (const row of hits) {
        results.push({
          kind: 'head',
          title: `${m.slug} ${row.name}`,
          description: resolved.map(({ id }) => `${id} = ${formatMetricValue(row.values[id!]!)}`).join(', '),
          url: headPath(m.slug, row.layer, row.head),
          value: row.values[first]!,
        });
      }
      if (hits.length === 0) continue;
      // A link to the whole filtered table is handy when there are many hits.
      if (resolved.length === 1 && (resolved[0].t.op === '>' || resolved[0].t.op === '>=')) {
        results.push({
          kind: 'model',
          title: `${m.slug}: all heads with ${opText({ ...resolved[0].t, metric: first })}`,
          description: `${hits.length} head${hits.length === 1 ? '' : 's'}, in the head table`,
          url: `${modelPath(m.slug)}${queryString({ sort: first, min: resolved[0].t.value })}`,
        });
      }
    }
  }

  if (text.length > 0 && TEXT_SEARCH_PROVIDERS.length > 0) {
    const scoped = withRuns.map((m) => ({ model: m as ModelInfo, run: m.latestRun }));
    for (const phrase of text) {
      for (const p of TEXT_SEARCH_PROVIDERS) results.push(...(await p.search(phrase, scoped, MAX_RESULTS)));
    }
  }

  // One link once (a head named twice, or by a name and a threshold).
  const seen = new Set<string>();
  const unique = results.filter((r) => (seen.has(r.url) ? false : (seen.add(r.url), true))).slice(0, MAX_RESULTS);
  return { query: q, parsed, results: unique };
}
