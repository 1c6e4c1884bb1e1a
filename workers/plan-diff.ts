/**
 * Splits a model diff into queue jobs and enqueues them, like planRun does for a run: `shards` diff-shard
 * jobs over contiguous document ranges, and a diff-finalize job that the last shard enqueues. Any worker on
 * the queue (`npm run worker`) takes them; a crashed worker's shard is retried, a done shard never recomputed.
 */
import type PgBoss from 'pg-boss';
import { upsertCorpus } from '@/lib/db/corpora';
import { createDiffJobs } from '@/lib/db/diff-jobs';
import { createDiff, failDiff, type DiffInfo } from '@/lib/db/diffs';
import { getModel } from '@/lib/db/models';
import { FINALIZE_JOB_KEY } from '@/lib/db/run-jobs';
import type { RunInfo } from '@/lib/db/runs';
import type { DiffShardJob } from '@/lib/queue/diff-payloads';
import { enqueueDiffJobs } from '@/lib/queue/enqueue';
import type { QueueSettings } from '@/lib/queue/names';
import { diffShardJobKey } from './jobs/diff-job';

export interface PlanDiffInput {
  runA: RunInfo;
  runB: RunInfo;
  /** What each worker resolves (a bundled name, a path present on every worker machine, an official name in the cache). */
  modelRefA: string;
  modelRefB: string;
  corpus: { slug: string; name: string; source: string; license: string; documents: string[] };
  /** The diff reads the corpus' first this many documents (default all). */
  maxDocuments?: number;
  shards: number;
  codeVersion: string;
  seed: number;
  weightProcessing?: 'tl' | 'none';
  /** lib/diff DiffOptions overrides. */
  options?: Record<string, number>;
  settings?: QueueSettings;
}

/** ModelConfig fields that must agree for the white-box parts (lib/diff assertSameArchitecture checks the loaded models again). */
const SHAPE_FIELDS = [
  'n_layers',
  'd_model',
  'n_heads',
  'd_head',
  'n_key_value_heads',
  'd_mlp',
  'd_vocab',
  'attn_only',
  'normalization_type',
  'positional_embedding_type',
  'act_fn',
  'gated_mlp',
  'parallel_attn_mlp',
];

export async function planDiff(boss: PgBoss, input: PlanDiffInput): Promise<{ diff: DiffInfo; jobs: DiffShardJob[] }> {
  if (!Number.isInteger(input.shards) || input.shards < 1 || input.shards > 9999)
    throw new Error(`planDiff: shards must be an integer in 1..9999, got ${input.shards}`);
  if (input.corpus.documents.length === 0) throw new Error(`planDiff: corpus "${input.corpus.slug}" has no documents`);
  const [modelA, modelB] = await Promise.all([getModel(input.runA.modelSlug), getModel(input.runB.modelSlug)]);
  if (!modelA || !modelB) throw new Error(`planDiff: the runs' models are not in the database`);
  const whiteBox = sameShape(modelA.config, modelB.config);
  await upsertCorpus(input.corpus);
  const maxDocuments = Math.min(input.maxDocuments ?? input.corpus.documents.length, input.corpus.documents.length);
  const shards = Math.min(input.shards, maxDocuments);
  const weightProcessing = input.weightProcessing ?? 'tl';
  const diff = await createDiff({
    runAId: input.runA.id,
    runBId: input.runB.id,
    corpusSlug: input.corpus.slug,
    options: {
      modelRefA: input.modelRefA,
      modelRefB: input.modelRefB,
      whiteBox,
      maxDocuments,
      shards,
      weightProcessing,
      diff: input.options ?? {},
    },
    codeVersion: input.codeVersion,
    seed: input.seed,
  });
  const jobs: DiffShardJob[] = Array.from({ length: shards }, (_, shardIndex) => ({
    kind: 'diff-shard',
    diffId: diff.id,
    jobKey: diffShardJobKey(shardIndex, shards),
    modelRefA: input.modelRefA,
    modelRefB: input.modelRefB,
    corpusSlug: input.corpus.slug,
    maxDocuments,
    shardCount: shards,
    whiteBox,
    weightProcessing,
    options: input.options ?? {},
    seed: input.seed,
    shardIndex,
  }));
  try {
    await createDiffJobs(diff.id, [
      ...jobs.map((j) => ({ jobKey: j.jobKey, kind: j.kind })),
      { jobKey: FINALIZE_JOB_KEY, kind: 'diff-finalize' },
    ]);
    await enqueueDiffJobs(boss, jobs, input.settings);
  } catch (err) {
    await failDiff(diff.id, `planning failed: ${err instanceof Error ? err.message : String(err)}`).catch(() => {});
    throw err;
  }
  return { diff, jobs };
}

/** Whether two stored ModelConfigs have the same shapes and kinds of blocks (the white box compares slot by slot). */
export function sameShape(a: unknown, b: unknown): boolean {
  const ca = (a ?? {}) as Record<string, unknown>;
  const cb = (b ?? {}) as Record<string, unknown>;
  return SHAPE_FIELDS.every((f) => JSON.stringify(ca[f] ?? null) === JSON.stringify(cb[f] ?? null));
}
