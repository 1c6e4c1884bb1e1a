/**
 * A model diff's jobs on the run queue (lib/queue/diff-payloads.ts), with run jobs' semantics (run-job.ts):
 * begin → compute → stage the result with status done in one transaction → the last shard enqueues finalize.
 *  diff-shard     one contiguous range of the corpus: lib/diff's black-box partial, and the white-box partial
 *                 (activations, direct logit attribution) when the two models share an architecture.
 *  diff-finalize  merges the partials (exact in any order), adds the corpus-independent parts (weights, head
 *                 metrics, greedy continuations, activation patching on the text one model does best on) and
 *                 publishes the diff with its sections in one transaction.
 */
import {
  beginDiffJob,
  countUnfinishedDiffJobs,
  getStagedDiffResults,
  publishDiffFromJobs,
  reportDiffJobProgress,
  stageDiffJobResult,
} from '@/lib/db/diff-jobs';
import { FINALIZE_JOB_KEY } from '@/lib/db/run-jobs';
import {
  choosePatchingText,
  circuitDiffTasks,
  computeBlackBoxPartial,
  computeContinuations,
  computeHeadMetricDiff,
  computePatchingDiff,
  computeTaskDiffs,
  computeWeightDiff,
  computeWhiteBoxPartial,
  finalizeBlackBox,
  finalizeWhiteBox,
  mergeBlackBoxPartials,
  mergeWhiteBoxPartials,
} from '@/lib/diff';
import type { BlackBoxPartial, DiffModel, DiffOptions, WhiteBoxPartial } from '@/lib/diff/types';
import { enqueueDiffJobs } from '@/lib/queue/enqueue';
import type { DiffFinalizeJob, DiffJobPayload, DiffShardJob } from '@/lib/queue/diff-payloads';
import { decodeResult, encodeResult } from '@/lib/queue/result-codec';
import { shardRange } from './corpus-scans';
import { withDbRetry } from './db-retry';
import type { JobContext } from './job-context';
import type { JobOutcome, RunJobEnv } from './run-job';

/** What a shard stages. */
export interface DiffShardResult {
  blackBox: BlackBoxPartial;
  whiteBox: WhiteBoxPartial | null;
}

/** Prompts whose greedy continuations are shown side by side (6.53): the corpus' first documents' openings. */
const CONTINUATION_PROMPTS = 4;
const CONTINUATION_TOKENS = 24;
/** Texts the head-metric difference reads (the runs' own metrics are on /compare; this is the same-text check). */
const HEAD_METRIC_TEXTS = 8;

export function diffShardJobKey(shard: number, shards: number): string {
  return `diff-shard:${String(shard).padStart(4, '0')}/${shards}`;
}

export async function runQueuedDiffJob(job: DiffJobPayload, env: RunJobEnv): Promise<JobOutcome> {
  const { diffId, jobKey } = job;
  const retry = <T>(what: string, fn: () => Promise<T>) => withDbRetry(`${jobKey} ${what}`, fn, { log: env.log });
  const begun = await retry('begin', () => beginDiffJob(diffId, jobKey, { workerId: env.workerId, queueJobId: env.queueJobId }));
  if (begun === 'run-not-running') return 'skipped';
  if (job.kind === 'diff-finalize') {
    const sections = await runDiffFinalize(job, env.context);
    await retry('publish', () => publishDiffFromJobs(diffId, sections));
    return 'published';
  }
  let remaining: number | null;
  if (begun === 'started') {
    const onProgress = (done: number, total: number) =>
      void reportDiffJobProgress(diffId, jobKey, env.queueJobId, { done, total }).catch(() => {});
    const result = await runDiffShard(job, env.context, onProgress);
    remaining = await retry('stage', () => stageDiffJobResult(diffId, jobKey, encodeResult(result)));
  } else {
    remaining = await retry('count', () => countUnfinishedDiffJobs(diffId));
  }
  if (remaining === 0) {
    const { shardIndex: _s, ...common } = job;
    await retry('enqueue finalize', () => enqueueDiffJobs(env.boss, [{ ...common, kind: 'diff-finalize', jobKey: FINALIZE_JOB_KEY }]));
  }
  return begun === 'started' ? 'done' : 'already-done';
}

async function loadPair(job: DiffJobPayload, context: JobContext): Promise<[DiffModel, DiffModel]> {
  const [a, b] = await context.loadModelPair(job.modelRefA, job.modelRefB, job.weightProcessing);
  const side = (ref: string, m: typeof a): DiffModel => ({
    slug: m.model.cfg.model_name || ref,
    model: m.model,
    tokenizer: m.tokenizer,
    runner: m.runner,
    weightProcessing: m.weightProcessing,
  });
  return [side(job.modelRefA, a), side(job.modelRefB, b)];
}

async function diffDocuments(job: DiffJobPayload, context: JobContext): Promise<string[]> {
  return (await context.corpusDocuments(job.corpusSlug)).slice(0, job.maxDocuments);
}

export async function runDiffShard(
  job: DiffShardJob,
  context: JobContext,
  onProgress: (done: number, total: number) => void,
): Promise<DiffShardResult> {
  const [a, b] = await loadPair(job, context);
  const corpus = await diffDocuments(job, context);
  const { start, end } = shardRange(corpus.length, job.shardIndex, job.shardCount);
  const shard = { firstDocument: start, documents: corpus.slice(start, end) };
  const options = job.options as Partial<DiffOptions>;
  // Progress in documents: the black box, then (same architecture) the white box, each reads the shard once.
  const passes = job.whiteBox ? 2 : 1;
  onProgress(0, shard.documents.length * passes);
  const blackBox = await computeBlackBoxPartial(a, b, shard, options);
  onProgress(shard.documents.length, shard.documents.length * passes);
  const whiteBox = job.whiteBox ? await computeWhiteBoxPartial(a, b, shard, options) : null;
  onProgress(shard.documents.length * passes, shard.documents.length * passes);
  return { blackBox, whiteBox };
}

/** Merges the staged shards and computes the corpus-independent parts: the diff's sections, by name. */
export async function runDiffFinalize(job: DiffFinalizeJob, context: JobContext): Promise<Record<string, unknown>> {
  const staged = await getStagedDiffResults(job.diffId, 'diff-shard');
  if (staged.length !== job.shardCount) throw new Error(`${job.diffId}: ${staged.length} of ${job.shardCount} shards are staged`);
  const shards = staged.map((s) => decodeResult<DiffShardResult>(s.result));
  const [a, b] = await loadPair(job, context);
  const corpus = await diffDocuments(job, context);
  const prompts = corpus.slice(0, CONTINUATION_PROMPTS).map(openingOf);
  const continuations = await computeContinuations(a, b, prompts, { maxNewTokens: CONTINUATION_TOKENS });
  // The circuit work's tasks where both models can run them (accuracy, logit difference), else why not.
  const tasks = await computeTaskDiffs(a, b, circuitDiffTasks({ seed: job.seed }));
  const blackBox = finalizeBlackBox(mergeBlackBoxPartials(shards.map((s) => s.blackBox)), { continuations, tasks });
  const sections: Record<string, unknown> = { 'black-box': blackBox };
  if (job.whiteBox) {
    const partial = mergeWhiteBoxPartials(shards.map((s) => s.whiteBox!));
    const weights = computeWeightDiff(a, b, { topK: (job.options as Partial<DiffOptions>).topK });
    const headMetrics = await computeHeadMetricDiff(a, b, corpus.slice(0, HEAD_METRIC_TEXTS));
    const choice = choosePatchingText(blackBox);
    const patching = choice ? await computePatchingDiff(a, b, choice.text) : null;
    sections['white-box'] = finalizeWhiteBox(partial, { weights, headMetrics, patching });
  }
  return sections;
}

/** A prompt from a document: its first sentence (≤ 80 characters), so both models continue the same words. */
function openingOf(text: string): string {
  const t = text.trim().slice(0, 200);
  const sentence = /^.*?[.!?](\s|$)/.exec(t)?.[0] ?? t;
  return sentence.slice(0, 80).trim();
}
