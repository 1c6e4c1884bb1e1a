/**
 * Splits a run definition (workers/run-definition.ts) into queue jobs and enqueues them: one job per head-metric
 * group (metrics that share their inputs, so their memoised forward passes stay together), `shards` jobs per corpus
 * scan the definition asks for (per comparison corpus too), and a finalize job (merge + publish) that the last job
 * to finish enqueues. Any number of
 * workers, on any machines with the same DATABASE_URL, then pull the jobs.
 */
import type PgBoss from 'pg-boss';
import { upsertCorpus } from '@/lib/db/corpora';
import { upsertModel } from '@/lib/db/models';
import { createRun, failRun, type RunInfo } from '@/lib/db/runs';
import { createRunJobs, FINALIZE_JOB_KEY, FINALIZE_LAYER_KIND, finalizeLayerJobKey } from '@/lib/db/run-jobs';
import { headMetrics } from '@/lib/metrics/heads/registry';
import type { HeadMetric } from '@/lib/metrics/heads/types';
import { resolveModel } from '@/lib/models/registry';
import { enqueueJobs } from '@/lib/queue/enqueue';
import type { QueueSettings } from '@/lib/queue/names';
import type { CalibrateJob, JobPayload } from '@/lib/queue/payloads';
import type { ModelConfig } from '@/lib/models/types';
import { calibrateJobKey, scanKey, shardJobsOf } from './jobs/corpus-shard-job';
import { findCorpusScan, type CorpusScan } from './jobs/corpus-scans';
import { modelInfo } from './model-info';
import { definitionOptions, runsNeurons, type RunCorpus, type RunDefinition } from './run-definition';

export interface PlanRunInput {
  /** What the run computes (workers/run-definition.ts), as `npm start` and `publish` execute it in one process. */
  definition: RunDefinition;
  /** Shards per corpus scan. */
  shards: number;
  codeVersion: string;
  options: Record<string, unknown>;
  /** Defaults to the registry; tests may pass a subset. */
  metrics?: readonly HeadMetric[];
  /** Defaults to the scans the definition asks for; tests may pass others. */
  scans?: readonly CorpusScan[];
  settings?: QueueSettings;
}

export interface PlannedRun {
  run: RunInfo;
  jobs: JobPayload[];
}

export async function planRun(boss: PgBoss, input: PlanRunInput): Promise<PlannedRun> {
  const { definition } = input;
  if (!Number.isInteger(input.shards) || input.shards < 1 || input.shards > 9999) {
    throw new Error(`planRun: shards must be an integer in 1..9999, got ${input.shards}`);
  }
  const { model } = await resolveModel(definition.modelRef);
  await upsertModel(modelInfo(model));
  await upsertCorpus(definition.corpus);

  const metrics = input.metrics ?? headMetrics;
  const plans = scanPlans(definition, model.cfg, input.scans);
  for (const p of plans) if (p.corpus !== definition.corpus) await upsertCorpus(p.corpus);
  const run = await createRun({
    modelSlug: model.cfg.model_name,
    corpusSlug: definition.corpus.slug,
    options: {
      ...input.options,
      ...definitionOptions(definition, model.cfg),
      queue: { shards: input.shards, scans: plans.map((p) => scanKey(p.scan.id, p.comparison ? p.corpus.slug : undefined)) },
    },
    codeVersion: input.codeVersion,
    seed: definition.seed,
    metricVersions: Object.fromEntries(metrics.map((m) => [m.id, m.version])),
  });

  const common = {
    runId: run.id,
    modelRef: definition.modelRef,
    corpusSlug: definition.corpus.slug,
    maxTexts: definition.maxTexts,
    seed: definition.seed,
    weightProcessing: definition.weightProcessing,
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
  if (definition.circuits) jobs.push({ kind: 'circuits', ...common, jobKey: 'circuits', promptPairs: definition.circuits.promptPairs });
  // Scans start with their calibration job; it enqueues the shards when done (they need its result).
  const shardRows: { jobKey: string; kind: string }[] = [];
  for (const { scan, corpus, documents, comparison } of plans) {
    const calibrate: CalibrateJob = {
      kind: 'calibrate',
      ...common,
      jobKey: calibrateJobKey(scanKey(scan.id, comparison ? corpus.slug : undefined)),
      scan: scan.id,
      ...(comparison ? { scanCorpusSlug: corpus.slug } : {}),
      shardCount: Math.min(input.shards, documents),
      maxDocuments: documents,
    };
    jobs.push(calibrate);
    shardRows.push(...shardJobsOf(calibrate).map((j) => ({ jobKey: j.jobKey, kind: j.kind })));
  }
  try {
    await createRunJobs(run.id, [
      ...jobs.map((j) => ({ jobKey: j.jobKey, kind: j.kind })),
      ...shardRows,
      // Finalize's per-layer parts (enqueued by the last computing job), then the publishing step.
      ...Array.from({ length: model.cfg.n_layers }, (_, l) => ({
        jobKey: finalizeLayerJobKey(l, model.cfg.n_layers),
        kind: FINALIZE_LAYER_KIND,
      })),
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

interface ScanPlan {
  scan: CorpusScan;
  corpus: RunCorpus;
  /** The scan reads the corpus' first this many documents. */
  documents: number;
  /** A comparison corpus (job keys `<scan>@<corpus>:…`), not the run's own. */
  comparison: boolean;
}

/** The corpus scans a definition asks for: head examples, neurons on the run's corpus and each comparison corpus. */
function scanPlans(definition: RunDefinition, cfg: ModelConfig, only?: readonly CorpusScan[]): ScanPlan[] {
  const plans: ScanPlan[] = [];
  const add = (scan: CorpusScan | undefined, corpus: RunCorpus, maxDocuments: number, comparison = false) => {
    if (!scan || (only && !only.includes(scan))) return;
    const documents = Math.min(maxDocuments, corpus.documents.length);
    if (documents === 0) throw new Error(`planRun: corpus "${corpus.slug}" has no documents`);
    plans.push({ scan, corpus, documents, comparison });
  };
  if (definition.headExamples) add(findCorpusScan('head-examples'), definition.corpus, definition.headExamples.maxDocuments);
  if (runsNeurons(definition, cfg)) {
    const { maxDocuments, comparisonCorpora } = definition.neurons!;
    add(findCorpusScan('neurons'), definition.corpus, maxDocuments);
    for (const c of comparisonCorpora) add(findCorpusScan('neurons'), c, maxDocuments, true);
  }
  // Scans a test registers beyond the definition's read the run's corpus like head examples.
  for (const scan of only ?? []) {
    if (!plans.some((p) => p.scan === scan))
      add(scan, definition.corpus, definition.headExamples?.maxDocuments ?? definition.corpus.documents.length);
  }
  return plans;
}
