/**
 * What a published diff's page and `/api/v1/diffs/{diffId}` show: its record, lib/diff's sections and its
 * downloadable tables; and a checkpoint series with each checkpoint's head metrics and losses over steps.
 */
import { getDiff, getDiffSections, listPublishedDiffs, type DiffInfo } from '../db/diffs';
import { getSeries, type SeriesInfo } from '../db/checkpoint-series';
import { getPrisma } from '../db/client';
import { DIFF_TABLES, diffSections, type DiffSections } from '../export/diff-tables';

export interface DiffDetail {
  diff: DiffInfo;
  sections: DiffSections;
  tables: Array<{ id: string; title: string; description: string; rows: number; csv: string }>;
}

export async function loadDiffDetail(diffId: string): Promise<DiffDetail | null> {
  const diff = await getDiff(diffId);
  if (diff?.status !== 'published') return null;
  const sections = diffSections(await getDiffSections(diffId));
  const tables = DIFF_TABLES.filter((t) => !t.whiteBox || sections.whiteBox).map((t) => ({
    id: t.id,
    title: t.title,
    description: t.description,
    rows: t.rows(sections).length,
    csv: `/api/v1/diffs/${diff.id}/export/${t.id}.csv`,
  }));
  return { diff, sections, tables };
}

export function diffJson(d: DiffInfo) {
  return {
    id: d.id,
    a: d.a,
    b: d.b,
    corpus: d.corpusSlug,
    status: d.status,
    options: d.options,
    codeVersion: d.codeVersion,
    seed: d.seed,
    createdAt: d.createdAt.toISOString(),
    publishedAt: d.publishedAt?.toISOString() ?? null,
    durationMs: d.durationMs,
    page: `/diffs/${d.id}`,
  };
}

export async function listDiffsJson(take = 200) {
  return (await listPublishedDiffs({ take })).map(diffJson);
}

export interface SeriesPoint {
  step: number;
  runId: string;
  modelSlug: string;
  diffId: string | null;
  /** Mean next-token loss (nats per token) on the series' diff corpus; from the neighbouring diffs' black box. */
  loss: number | null;
  /** Relative Frobenius norm of the weight change from the previous checkpoint (white box), null for the first. */
  weightChange: number | null;
}

export interface SeriesDetail {
  series: SeriesInfo;
  points: SeriesPoint[];
  /** metric id → one array per head (`L.H`) of values per checkpoint (null where a run lacks it). */
  metrics: Record<string, Record<string, (number | null)[]>>;
}

export async function loadSeriesDetail(seriesId: string): Promise<SeriesDetail | null> {
  const series = await getSeries(seriesId);
  if (!series) return null;
  const cps = series.checkpoints;
  const sections = await Promise.all(cps.map((c) => (c.diffId ? getDiffSections(c.diffId).then(diffSections) : Promise.resolve(null))));
  const points = cps.map((c, i): SeriesPoint => {
    const own = sections[i]?.blackBox?.lossB.lossPerToken;
    const next = sections[i + 1]?.blackBox?.lossA.lossPerToken;
    return {
      step: c.step,
      runId: c.run.id,
      modelSlug: c.run.modelSlug,
      diffId: c.diffId,
      loss: own ?? next ?? null,
      weightChange: sections[i]?.whiteBox?.weights.relative ?? null,
    };
  });
  const rows = await getPrisma().headMetric.findMany({
    where: { runId: { in: cps.map((c) => c.run.id) } },
    select: { runId: true, layer: true, head: true, metricId: true, value: true },
    orderBy: [{ metricId: 'asc' }, { layer: 'asc' }, { head: 'asc' }],
  });
  const index = new Map(cps.map((c, i) => [c.run.id, i]));
  const metrics: SeriesDetail['metrics'] = {};
  for (const r of rows) {
    const heads = (metrics[r.metricId] ??= {});
    const line = (heads[`${r.layer}.${r.head}`] ??= cps.map(() => null));
    line[index.get(r.runId)!] = Number.isFinite(r.value) ? r.value : null;
  }
  return { series, points, metrics };
}
