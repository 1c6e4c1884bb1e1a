/**
 * What a job on the queue carries. Everything a worker on another machine needs to redo the job from
 * scratch: the model (a bundled name or a path that exists on every worker machine), the corpus (its
 * documents are in the database), and the part of the run this job computes.
 */
import { z } from 'zod';
import { runIdSchema, slugSchema } from '../db/validate';

const common = {
  runId: runIdSchema,
  jobKey: z.string().min(1).max(200),
  /** Bundled model name or checkpoint path, as given to `resolveModel`. */
  modelRef: z.string().min(1),
  corpusSlug: slugSchema,
  /** How many corpus documents the head metrics' pattern detectors read. */
  maxTexts: z.number().int().positive(),
  seed: z.number().int(),
  /** Weight processing every job applies (workers/weight-processing.ts): TransformerLens' defaults or none. */
  weightProcessing: z.enum(['tl', 'none']).default('tl'),
};

/** A group of head metrics (those sharing their inputs), and optionally the example patterns. */
export const headMetricsJob = z.object({
  kind: z.literal('head-metrics'),
  ...common,
  metricIds: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).min(1),
  withExample: z.boolean(),
});

const scanFields = {
  scan: z.string().regex(/^[a-z][a-z0-9-]*$/),
  shardCount: z.number().int().positive(),
  /** The scan reads the corpus' first `maxDocuments` documents. */
  maxDocuments: z.number().int().positive(),
  /** The corpus the scan reads when it is not the run's own (a comparison corpus of the neuron explorer). */
  scanCorpusSlug: slugSchema.optional(),
};

/** A corpus scan's calibration, once per run; when done it enqueues the scan's shards. */
export const calibrateJob = z.object({ kind: z.literal('calibrate'), ...common, ...scanFields });

/** One shard of a corpus scan (neuron examples, head examples): a contiguous range of documents. */
export const corpusShardJob = z.object({
  kind: z.literal('corpus-shard'),
  ...common,
  ...scanFields,
  shardIndex: z.number().int().nonnegative(),
});

/** The run's circuits (workers/circuits): tasks, patching sweeps, discovered circuits and head roles. */
export const circuitsJob = z.object({
  kind: z.literal('circuits'),
  ...common,
  promptPairs: z.number().int().positive().max(10_000),
});

/**
 * One layer's part of finalize: its heads' labels and examples, its neurons' statistics, minimal examples and rows
 * (enqueued, one per layer, when the last computing job is done).
 */
export const finalizeLayerJob = z.object({
  kind: z.literal('finalize-layer'),
  ...common,
  layer: z.number().int().nonnegative(),
});

/** Merge the run-wide staged results and publish the run (enqueued when the last other job is done). */
export const finalizeJob = z.object({
  kind: z.literal('finalize'),
  ...common,
});

export const jobPayload = z.discriminatedUnion('kind', [
  headMetricsJob,
  calibrateJob,
  corpusShardJob,
  circuitsJob,
  finalizeLayerJob,
  finalizeJob,
]);

export type HeadMetricsJob = z.infer<typeof headMetricsJob>;
export type CalibrateJob = z.infer<typeof calibrateJob>;
export type CorpusShardJob = z.infer<typeof corpusShardJob>;
export type CircuitsJob = z.infer<typeof circuitsJob>;
export type FinalizeJob = z.infer<typeof finalizeJob>;
export type FinalizeLayerJob = z.infer<typeof finalizeLayerJob>;
export type JobPayload = z.infer<typeof jobPayload>;

/** Parses a payload from the queue; a malformed one is an error naming the fields (never retried into success). */
export function parseJobPayload(data: unknown): JobPayload {
  const parsed = jobPayload.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `malformed job payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
