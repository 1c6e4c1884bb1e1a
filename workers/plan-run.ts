/**
 * Splits a run into queue jobs and enqueues them: one job per head-metric group (metrics that share
 * their inputs, so their memoised forward passes stay together), `shards` jobs per registered corpus
 * scan, and a finalize job (merge + publish) that the last job to finish enqueues. Any number of
 * workers, on any machines with the same DATABASE_URL, then pull the jobs.
 */
import type PgBoss from 'pg-boss';
import { upsertCorpus } from '@/lib/db/corpora';
import { upsertModel } from '@/lib/db/models';
import { createRun, failRun, type RunInfo } from '@/lib/db/runs';
import { createRunJobs, FINALIZE_JOB_KEY } from '@/lib/db/run-jobs';
import { headMetrics } from '@/lib/metrics/heads/registry';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { resolveModel } from '@/lib/models/registry';
import { enqueueJobs } from '@/lib/queue/enqueue';
import type { QueueSettings } from '@/lib/queue/names';
import type { CalibrateJob, JobPayload } from '@/lib/queue/payloads';
import { calibrateJobKey, shardJobsOf } from './jobs/corpus-shard-job';
import { corpusScans, type CorpusScan } from './jobs/corpus-scans';
import { modelInfo } from './model-info';

export interface PlanRunInput {
  /** Bundled model name, or a checkpoint path that exists on every worker machine. */
  modelRef: string;
  corpus: { slug: string; name: string; source: string; license: string; documents: string[] };
  maxTexts: number;
  seed: number;
  /** Shards per corpus scan. */
  shards: number;
  /** Corpus scans read the first this many documents (default all). */
  scanDocuments?: number;
  codeVersion: string;
  options: Record<string, unknown>;
  /** Defaults to the registry; tests may pass a subset. */
  metrics?: readonly HeadMetric[];
  scans?: readonly CorpusScan[];
  settings?: QueueSettings;
  /**
   * Weight processing every job applies: TransformerLens' defaults (`tl`, the default, as `npm start` and
   * `publish`) or `none`. Finalize records what was applied in the run's options as `weightProcessing`.
   */
  weightProcessing?: 'tl' | 'none';
  /** The circuits job (workers/jobs/circuits-job.ts) with this many prompt pairs per task; none when absent. */
  circuits?: { promptPairs: number };
}

export interface PlannedRun {
  run: RunInfo;
  jobs: JobPayload[];
}

export async function planRun(boss: PgBoss, input: PlanRunInput): Promise<PlannedRun> {
  if (!Number.isInteger(input.shards) || input.shards < 1 || input.shards > 9999) {
    throw new Error(`planRun: shards must be an integer in 1..9999, got ${input.shards}`);
  }
  if (!Number.isInteger(input.maxTexts) || input.maxTexts < 1)
    throw new Error(`planRun: maxTexts must be a positive integer, got ${input.maxTexts}`);
  if (input.corpus.documents.length === 0) throw new Error(`planRun: corpus "${input.corpus.slug}" has no documents`);
  const { model } = await resolveModel(input.modelRef);
  await upsertModel(modelInfo(model));
  await upsertCorpus(input.corpus);

  const metrics = input.metrics ?? headMetrics;
  const scans = input.scans ?? corpusScans;
  const scanDocuments = Math.min(input.scanDocuments ?? input.corpus.documents.length, input.corpus.documents.length);
  const shards = Math.min(input.shards, scanDocuments);
  const run = await createRun({
    modelSlug: model.cfg.model_name,
    corpusSlug: input.corpus.slug,
    options: { ...input.options, maxTexts: input.maxTexts, queue: { shards, scans: scans.map((s) => s.id), scanDocuments } },
    codeVersion: input.codeVersion,
    seed: input.seed,
    metricVersions: Object.fromEntries(metrics.map((m) => [m.id, m.version])),
  });

  const common = {
    runId: run.id,
    modelRef: input.modelRef,
    corpusSlug: input.corpus.slug,
    maxTexts: input.maxTexts,
    seed: input.seed,
    weightProcessing: input.weightProcessing ?? 'tl',
  };
  const jobs: JobPayload[] = [];
  metricGroups(metrics).forEach((group, i) => {
    jobs.push({
      kind: 'head-metrics',
      ...common,
      jobKey: `head-metrics:${group.name}`,
      metricIds: group.metrics.map((m) => m.id),
      withExample: i === 0,
    });
  });
  if (input.circuits) jobs.push({ kind: 'circuits', ...common, jobKey: 'circuits', promptPairs: input.circuits.promptPairs });
  // Scans start with their calibration job; it enqueues the shards when done (they need its result).
  const shardRows: { jobKey: string; kind: string }[] = [];
  for (const scan of scans) {
    const calibrate: CalibrateJob = {
      kind: 'calibrate',
      ...common,
      jobKey: calibrateJobKey(scan.id),
      scan: scan.id,
      shardCount: shards,
      maxDocuments: scanDocuments,
    };
    jobs.push(calibrate);
    shardRows.push(...shardJobsOf(calibrate).map((j) => ({ jobKey: j.jobKey, kind: j.kind })));
  }
  try {
    await createRunJobs(run.id, [
      ...jobs.map((j) => ({ jobKey: j.jobKey, kind: j.kind })),
      ...shardRows,
      { jobKey: FINALIZE_JOB_KEY, kind: 'finalize' },
    ]);
    await enqueueJobs(boss, jobs, input.settings);
  } catch (err) {
    await failRun(run.id, `planning failed: ${err instanceof Error ? err.message : String(err)}`).catch(() => {});
    throw err;
  }
  return { run, jobs };
}

/** Metrics grouped by the input they need (weights, random tokens, texts), in registry order. */
export function metricGroups(metrics: readonly HeadMetric[]): { name: string; metrics: HeadMetric[] }[] {
  const groups = new Map<string, HeadMetric[]>();
  for (const m of metrics) groups.set(m.needs, [...(groups.get(m.needs) ?? []), m]);
  return [...groups].map(([name, ms]) => ({ name, metrics: ms }));
}
