/**
 * What a run page and `/api/v1/runs/{runId}` show about one published run: its record, its model,
 * how many rows each per-run table holds, the bulk-export files and the run's links.
 */
import { getModel, type ModelInfo } from '@/lib/db/models';
import { getLatestPublishedRun, type RunInfo } from '@/lib/db/runs';
import { countRunTables, exportPath } from '@/lib/export/tables';
import { modelPath } from '@/lib/format/paths';
import { getPublishedRun } from './resolve-run';

export interface RunTableSummary {
  id: string;
  title: string;
  description: string;
  rows: number;
  csv: string;
  jsonl: string;
}

export interface RunDetail {
  run: RunInfo;
  model: ModelInfo;
  tables: RunTableSummary[];
  /** The model's latest published run (may be this one). */
  latestRunId: string | null;
  links: { runPage: string; pinnedModelPage: string; latestModelPage: string };
}

export function runPagePath(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

export async function loadRunDetail(runId: string): Promise<RunDetail | null> {
  const run = await getPublishedRun(runId);
  if (!run) return null;
  const [model, counts, latest] = await Promise.all([
    getModel(run.modelSlug),
    countRunTables(run.id),
    getLatestPublishedRun(run.modelSlug),
  ]);
  if (!model) return null;
  return {
    run,
    model,
    tables: counts.map(({ table, rows }) => ({
      id: table.id,
      title: table.title,
      description: table.description,
      rows,
      csv: exportPath(run.id, table.id, 'csv'),
      jsonl: exportPath(run.id, table.id, 'jsonl'),
    })),
    latestRunId: latest?.id ?? null,
    links: { runPage: runPagePath(run.id), pinnedModelPage: modelPath(model.slug, run.id), latestModelPage: modelPath(model.slug) },
  };
}
