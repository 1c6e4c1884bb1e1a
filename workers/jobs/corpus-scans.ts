/**
 * Corpus scans that run as shards on the queue: neuron examples, head examples. A scan reads one shard
 * of the corpus' documents into a mergeable summary (top-k, histograms), and merges all shards' summaries
 * into exactly the single-process result, which it saves to the run's tables before publishing.
 * Register a scan here to have `planRun` split it into shard jobs.
 */
import type { CanonicalModel } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { ForwardRunner } from '@/lib/engine/types';
import { headExamplesScan } from './scans/head-examples-scan';
import { neuronsScan } from './scans/neurons-scan';

export interface ShardDocument {
  /** Position in the corpus (what results refer to). */
  index: number;
  text: string;
}

export interface CorpusScanShardInput {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  /** This shard's documents. */
  documents: ShardDocument[];
  /** Every document the scan reads (all shards): for calibration that every shard must do identically. */
  corpus: ShardDocument[];
  seed: number;
  /** Report tokens read so far (for the progress page); the worker throttles the writes. */
  onTokens(done: number, total: number): void;
}

export interface CorpusScanCalibrateInput {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  /** Every document the scan reads. */
  corpus: ShardDocument[];
  seed: number;
}

export interface CorpusScan<Summary = unknown, Calibration = unknown> {
  /** Stable id, used in job keys (`<id>:<shard>/<count>`, `<id>:calibrate`). */
  id: string;
  /**
   * Computed once per run by its own job, before any shard (e.g. histogram ranges every shard must bin
   * with identically — computing them per shard could differ between CPU and GPU workers).
   */
  calibrate(input: CorpusScanCalibrateInput): Promise<Calibration>;
  /** Scans one shard; the result must survive lib/queue/result-codec (plain data, typed arrays). */
  scanShard(input: CorpusScanShardInput & { calibration: Calibration }): Promise<Summary>;
  /**
   * Merges each corpus' shard summaries (in shard order; the run's corpus first, then comparison corpora) and saves
   * the result to the running run's tables. May return facts to record in the run's options (as the single-process
   * path does).
   */
  mergeAndSave(runId: string, corpora: ScannedCorpus<Summary>[], context: MergeContext): Promise<Record<string, unknown> | void>;
  /**
   * A summary too big to stage as one value (Postgres holds at most 1 GB in one; a GPT-2-small neuron shard is
   * more) is staged as a head plus one part per layer (lib/db/run-jobs.ts, RunJobPart); finalize's per-layer jobs
   * read only their layer's part. join(head, parts) must give back the summary, or its layers' share of it.
   */
  layerParts?: {
    split(summary: Summary): { head: unknown; parts: { layer: number; value: unknown }[] };
    join(head: unknown, parts: { layer: number; value: unknown }[]): Summary;
  };
}

export interface ScannedCorpus<Summary> {
  corpusSlug: string;
  /** A comparison corpus (the neuron explorer's stories vs code), not the run's own. */
  comparison: boolean;
  shards: Summary[];
}

export interface MergeContext {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  corpusSlug: string;
  seed: number;
  /** Only this layer's heads or neurons (finalize's per-layer jobs); default every layer. */
  layer?: number;
}

/** The registered scans, in planning order. */
export const corpusScans: CorpusScan[] = [headExamplesScan as CorpusScan, neuronsScan as CorpusScan];

export function findCorpusScan(id: string): CorpusScan | undefined {
  return corpusScans.find((s) => s.id === id);
}

/** Contiguous document ranges, as even as possible: shard i of n gets documents [start, end). */
export function shardRange(documentCount: number, shardIndex: number, shardCount: number): { start: number; end: number } {
  if (!(Number.isInteger(shardCount) && shardCount > 0 && Number.isInteger(shardIndex) && shardIndex >= 0 && shardIndex < shardCount)) {
    throw new Error(`shardRange: shard ${shardIndex} of ${shardCount} is not a valid shard`);
  }
  const start = Math.floor((documentCount * shardIndex) / shardCount);
  const end = Math.floor((documentCount * (shardIndex + 1)) / shardCount);
  return { start, end };
}
