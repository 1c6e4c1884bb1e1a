/**
 * Runs one job from the queue: marks it active, computes, stages the result with status done in one
 * transaction; the last computing job enqueues finalize's per-layer jobs, and the run's last job the finalize job. A job whose result is
 * already staged (its worker died after staging) is not recomputed; a job of a run that is no longer
 * running is dropped.
 */
import type PgBoss from 'pg-boss';
import {
  beginRunJob,
  countComputeJobsLeft,
  FINALIZE_JOB_KEY,
  finalizeLayerJobKey,
  finalizeLayers,
  reportRunJobProgress,
  stageRunJobPart,
  stageRunJobResult,
} from '@/lib/db/run-jobs';
import { getPrisma } from '@/lib/db/client';
import { enqueueFinalize, enqueueJobs } from '@/lib/queue/enqueue';
import type { JobPayload } from '@/lib/queue/payloads';
import { encodeResult } from '@/lib/queue/result-codec';
import { findCorpusScan } from './corpus-scans';
import { runCalibrateJob, runCorpusShardJob, shardJobsOf } from './corpus-shard-job';
import { withDbRetry } from './db-retry';
import { runFinalizeJob } from './finalize-job';
import { runFinalizeLayerJob } from './finalize-layer-job';
import { runHeadMetricsJob } from './head-metrics-job';
import { runCircuitsJob } from './circuits-job';
import type { JobContext } from './job-context';

export interface RunJobEnv {
  boss: PgBoss;
  context: JobContext;
  workerId: string;
  queueJobId: string;
  log: (msg: string) => void;
}

export type JobOutcome = 'done' | 'already-done' | 'published' | 'skipped';

const PROGRESS_EVERY_MS = 1000;

export async function runQueuedJob(job: JobPayload, env: RunJobEnv): Promise<JobOutcome> {
  const { runId, jobKey } = job;
  const retry = <T>(what: string, fn: () => Promise<T>) => withDbRetry(`${jobKey} ${what}`, fn, { log: env.log });
  const begun = await retry('begin', () => beginRunJob(runId, jobKey, { workerId: env.workerId, queueJobId: env.queueJobId }));
  if (begun === 'run-not-running') return 'skipped';

  if (job.kind === 'finalize') {
    await retry('finalize', () => runFinalizeJob(job, env.context));
    return 'published';
  }

  let remaining: number | null;
  if (begun === 'started') {
    let lastWrite = 0;
    const onTokens = (done: number, total: number) => {
      const now = Date.now();
      if (now - lastWrite < PROGRESS_EVERY_MS && done < total) return;
      lastWrite = now;
      // Progress is best effort: never let it fail or slow the job.
      void reportRunJobProgress(runId, jobKey, env.queueJobId, { tokensDone: done, tokensTotal: total }).catch(() => {});
    };
    const result =
      job.kind === 'head-metrics'
        ? await runHeadMetricsJob(job, env.context)
        : job.kind === 'calibrate'
          ? await runCalibrateJob(job, env.context)
          : job.kind === 'finalize-layer'
            ? await runFinalizeLayerJob(job, env.context)
            : job.kind === 'circuits'
              ? await runCircuitsJob(job, env.context)
              : await runCorpusShardJob(job, env.context, onTokens);
    const bytes = encodeResult(await stageLayerParts(job, result, retry));
    remaining = await retry('stage', () => stageRunJobResult(runId, jobKey, bytes));
  } else {
    remaining = await retry('count', () =>
      getPrisma().runJob.count({ where: { runId, status: { not: 'done' }, jobKey: { not: FINALIZE_JOB_KEY } } }),
    );
  }
  // A calibration releases its scan's shards (again on a retry: their fixed job ids make that a no-op).
  if (job.kind === 'calibrate' && remaining !== null) await retry('enqueue shards', () => enqueueJobs(env.boss, shardJobsOf(job)));
  const base = {
    runId: job.runId,
    modelRef: job.modelRef,
    corpusSlug: job.corpusSlug,
    maxTexts: job.maxTexts,
    seed: job.seed,
    weightProcessing: job.weightProcessing,
  };
  if (remaining === 0) {
    await retry('enqueue finalize', () => enqueueFinalize(env.boss, { kind: 'finalize', jobKey: FINALIZE_JOB_KEY, ...base }));
  } else if (remaining !== null && job.kind !== 'finalize-layer' && (await retry('count', () => countComputeJobsLeft(runId))) === 0) {
    // The last computing job releases finalize's per-layer parts (again on a retry: fixed job ids make that a no-op).
    const layers = await retry('layers', () => finalizeLayers(runId));
    await retry('enqueue finalize layers', () =>
      enqueueJobs(
        env.boss,
        layers.map((layer) => ({ kind: 'finalize-layer' as const, jobKey: finalizeLayerJobKey(layer, layers.length), layer, ...base })),
      ),
    );
  }
  return begun === 'started' ? 'done' : 'already-done';
}

/**
 * A shard of a scan staged in layer parts (CorpusScan.layerParts): each layer's part encoded and written on its own (one
 * part's bytes in memory at a time, each under Postgres' 1 GB per value); returns the head to stage as the result.
 */
async function stageLayerParts(
  job: JobPayload,
  result: unknown,
  retry: <T>(what: string, fn: () => Promise<T>) => Promise<T>,
): Promise<unknown> {
  const split = job.kind === 'corpus-shard' ? findCorpusScan(job.scan)?.layerParts?.split : undefined;
  if (!split) return result;
  const { head, parts } = split(result);
  for (const part of parts) {
    const bytes = encodeResult(part.value);
    await retry(`stage layer ${part.layer}`, () => stageRunJobPart(job.runId, job.jobKey, part.layer, bytes));
  }
  return head;
}
