/**
 * What a model diff's jobs carry on the queue (the same queue and workers as runs, lib/queue/payloads.ts):
 * the two model references every worker resolves, the corpus (its documents are in the database), the
 * diff's options, and the part this job computes. `diff-shard`: one contiguous range of documents
 * (black-box and, for the same architecture, white-box partials); `diff-finalize`: merge and publish.
 */
import { z } from 'zod';
import { slugSchema } from '../db/validate';
import { jobPayload, type JobPayload } from './payloads';

const diffCommon = {
  diffId: z.string().regex(/^d[0-9a-z]{10}$/),
  jobKey: z.string().min(1).max(200),
  /** As given to resolveModel: a bundled name, a path on every worker machine, or an official name in the cache. */
  modelRefA: z.string().min(1),
  modelRefB: z.string().min(1),
  corpusSlug: slugSchema,
  /** Documents the diff reads (the corpus' first ones), cut into `shardCount` contiguous shards. */
  maxDocuments: z.number().int().positive(),
  shardCount: z.number().int().positive(),
  /** White-box parts too (the two models have the same architecture). */
  whiteBox: z.boolean(),
  weightProcessing: z.enum(['tl', 'none']).default('tl'),
  /** lib/diff DiffOptions overrides (every shard uses the same). */
  options: z.record(z.string(), z.number()).default({}),
  seed: z.number().int(),
};

export const diffShardJob = z.object({ kind: z.literal('diff-shard'), ...diffCommon, shardIndex: z.number().int().nonnegative() });
export const diffFinalizeJob = z.object({ kind: z.literal('diff-finalize'), ...diffCommon });
export const diffJobPayload = z.discriminatedUnion('kind', [diffShardJob, diffFinalizeJob]);

export type DiffShardJob = z.infer<typeof diffShardJob>;
export type DiffFinalizeJob = z.infer<typeof diffFinalizeJob>;
export type DiffJobPayload = z.infer<typeof diffJobPayload>;

/** Any job a worker takes from the queue: a run's or a diff's. */
export type QueuedJob = JobPayload | DiffJobPayload;

export function isDiffJob(job: QueuedJob): job is DiffJobPayload {
  return job.kind === 'diff-shard' || job.kind === 'diff-finalize';
}

/** The run or diff a job belongs to (job ids, heartbeat rows and logs name it). */
export function jobOwnerId(job: QueuedJob): string {
  return isDiffJob(job) ? job.diffId : job.runId;
}

/** Parses a payload from the queue, run or diff; a malformed one is an error naming the fields. */
export function parseQueuedJob(data: unknown): QueuedJob {
  const kind = (data as { kind?: unknown } | null)?.kind;
  const schema = kind === 'diff-shard' || kind === 'diff-finalize' ? diffJobPayload : jobPayload;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `malformed job payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
