/** Jobs `calibrate` (once per scan and run) and `corpus-shard` (one shard of a registered corpus scan). */
import { getStagedResults } from '@/lib/db/run-jobs';
import type { CalibrateJob, CorpusShardJob } from '@/lib/queue/payloads';
import { decodeResult } from '@/lib/queue/result-codec';
import { findCorpusScan, shardRange, type CorpusScan, type ShardDocument } from './corpus-scans';
import type { JobContext } from './job-context';

/** A scan on the run's corpus is keyed by its id; on a comparison corpus by `<id>@<corpus slug>`. */
export function scanKey(scanId: string, comparisonCorpusSlug?: string): string {
  return comparisonCorpusSlug ? `${scanId}@${comparisonCorpusSlug}` : scanId;
}

/** The scan and corpus a job-key prefix names (finalize groups staged shards by it). */
export function parseScanKey(key: string, runCorpusSlug: string): { scanId: string; corpusSlug: string; comparison: boolean } {
  const at = key.indexOf('@');
  return at < 0
    ? { scanId: key, corpusSlug: runCorpusSlug, comparison: false }
    : { scanId: key.slice(0, at), corpusSlug: key.slice(at + 1), comparison: true };
}

const keyOf = (job: CalibrateJob | CorpusShardJob) => scanKey(job.scan, job.scanCorpusSlug);

export function calibrateJobKey(key: string): string {
  return `${key}:calibrate`;
}

/** `<scan>:<shard, zero-padded>/<count>`: job keys sort in shard order. */
export function shardJobKey(scanId: string, shard: number, shards: number): string {
  return `${scanId}:${String(shard).padStart(4, '0')}/${shards}`;
}

/** The shard jobs a finished calibration releases. */
export function shardJobsOf(job: CalibrateJob): CorpusShardJob[] {
  return Array.from({ length: job.shardCount }, (_, shardIndex) => ({
    ...job,
    kind: 'corpus-shard' as const,
    jobKey: shardJobKey(keyOf(job), shardIndex, job.shardCount),
    shardIndex,
  }));
}

export async function runCalibrateJob(job: CalibrateJob, context: JobContext): Promise<unknown> {
  const scan = scanOf(job.scan);
  const { model, tokenizer, runner } = await context.loadModel(job.modelRef, job.weightProcessing);
  const corpus = await scanDocuments(context, job);
  return scan.calibrate({ model, tokenizer, runner, corpus, seed: job.seed });
}

export async function runCorpusShardJob(
  job: CorpusShardJob,
  context: JobContext,
  onTokens: (done: number, total: number) => void,
): Promise<unknown> {
  const scan = scanOf(job.scan);
  const [calibrated] = await getStagedResults(job.runId, 'calibrate', calibrateJobKey(keyOf(job)));
  if (!calibrated) throw new Error(`${job.jobKey}: the scan's calibration (${calibrateJobKey(keyOf(job))}) is not done`);
  const { model, tokenizer, runner } = await context.loadModel(job.modelRef, job.weightProcessing);
  const corpus = await scanDocuments(context, job);
  const { start, end } = shardRange(corpus.length, job.shardIndex, job.shardCount);
  return scan.scanShard({
    model,
    tokenizer,
    runner,
    documents: corpus.slice(start, end),
    corpus,
    seed: job.seed,
    onTokens,
    calibration: decodeResult(calibrated.result),
  });
}

function scanOf(id: string): CorpusScan {
  const scan = findCorpusScan(id);
  if (!scan)
    throw new Error(`corpus scan "${id}" is not registered in this worker (workers/jobs/corpus-scans.ts); is it an older version?`);
  return scan;
}

async function scanDocuments(context: JobContext, job: CalibrateJob | CorpusShardJob): Promise<ShardDocument[]> {
  const all = await context.corpusDocuments(job.scanCorpusSlug ?? job.corpusSlug);
  return all.slice(0, job.maxDocuments).map((text, index) => ({ index, text }));
}
