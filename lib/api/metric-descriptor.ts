/**
 * What a page or API client needs to know about a head metric: the registry entry without
 * `compute()` (which must never reach a browser bundle), plus the version the run stored.
 */
import type { HeadMetric } from '@/lib/metrics/heads/types';
import type { HeadMetricValue } from '@/lib/db/head-metrics';

export interface MetricDescriptor {
  id: string;
  title: string;
  summary: string;
  definition: string;
  citation: { text: string; url: string };
  range: [number, number];
  /** Version the displayed values were computed with (from the run's stored values). */
  version: number;
  /** Version of the metric in this code base; differs from `version` when the run predates a change. */
  currentVersion: number | null;
}

export function describeMetric(metric: HeadMetric): MetricDescriptor {
  return {
    id: metric.id,
    title: metric.title,
    summary: metric.summary,
    definition: metric.definition,
    citation: { text: metric.citation.text, url: metric.citation.url },
    range: [metric.range[0], metric.range[1]],
    version: metric.version,
    currentVersion: metric.version,
  };
}

/**
 * The metrics a run has values for, in registry order (so columns and heatmaps follow the
 * registry). A metric id the registry no longer knows is kept, described by its id alone,
 * rather than silently hiding published numbers.
 */
export function metricsInRun(registry: readonly HeadMetric[], values: readonly HeadMetricValue[]): MetricDescriptor[] {
  const storedVersion = new Map<string, number>();
  for (const v of values) if (!storedVersion.has(v.metricId)) storedVersion.set(v.metricId, v.metricVersion);

  const known = registry.filter((m) => storedVersion.has(m.id)).map((m) => ({ ...describeMetric(m), version: storedVersion.get(m.id)! }));
  const registryIds = new Set(registry.map((m) => m.id));
  const orphans = [...storedVersion.keys()]
    .filter((id) => !registryIds.has(id))
    .sort()
    .map((id): MetricDescriptor => ({
      id,
      title: id,
      summary: `Metric "${id}" is no longer in this version of headwiki's registry.`,
      definition: '',
      citation: { text: '', url: '' },
      range: [Number.NaN, Number.NaN],
      version: storedVersion.get(id)!,
      currentVersion: null,
    }));
  return [...known, ...orphans];
}
