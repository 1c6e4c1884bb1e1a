/**
 * Model diff (issue 17): the JSON-serialisable results of every part of a diff between two models A and B, and the
 * signatures lib/diff exports. Every difference is `B − A` (positive: B has more / does better).
 *
 * Sharding: the corpus-dependent parts are computed per corpus shard into a *partial* (plain JSON, no typed arrays),
 * partials merge in any order and any grouping (`merge*Partials`), and `finalize*` turns the merged partial into the
 * result. Partials are O(1) in the corpus size (counts, ExactSums limbs, top-k lists); sums are exact and top-k lists
 * are ordered with a total tie-break, so a diff computed in N shards is bit-identical to the one computed in one go.
 * The corpus-independent parts (weights, head metrics, continuations, patching on one text, tasks) are computed once,
 * by whoever finalizes.
 *
 * Functions (lib/diff/index.ts re-exports them):
 *
 *   prepareDiffModel(slug, model, tokenizer, { weightProcessing?, runner? }): Promise<DiffModel>
 *
 *   // black box: any two models
 *   computeBlackBoxPartial(a, b, shard: CorpusShard, opts?: Partial<DiffOptions>): Promise<BlackBoxPartial>
 *   mergeBlackBoxPartials(parts: BlackBoxPartial[]): BlackBoxPartial
 *   finalizeBlackBox(partial, extras?: { continuations?: ContinuationPair[]; tasks?: TaskMetricDiff[] }): BlackBoxDiff
 *   computeContinuations(a, b, prompts: string[], opts?: { maxNewTokens?: number }): Promise<ContinuationPair[]>
 *   computeTaskDiffs(a, b, tasks: DiffTask[]): Promise<TaskMetricDiff[]>          // hook for issue 19's tasks
 *   computeBlackBoxDiff(a, b, corpus: string[], opts?): Promise<BlackBoxDiff>      // all of the above in one process
 *
 *   // white box: same architecture (assertSameArchitecture throws a clear error otherwise)
 *   computeWeightDiff(a, b, opts?: { topK?: number }): WeightDiff
 *   computeWhiteBoxPartial(a, b, shard: CorpusShard, opts?): Promise<WhiteBoxPartial>   // activations + DLA
 *   mergeWhiteBoxPartials(parts: WhiteBoxPartial[]): WhiteBoxPartial
 *   computeHeadMetricDiff(a, b, texts: string[], opts?: { metrics?: string[] }): Promise<HeadMetricDiff>
 *   choosePatchingText(blackBox: BlackBoxDiff): PatchingTextChoice | null
 *   computePatchingDiff(a, b, text: string, opts?): Promise<PatchingDiff>
 *   finalizeWhiteBox(partial, extras: { weights; headMetrics?; patching? }): WhiteBoxDiff
 *   computeWhiteBoxDiff(a, b, corpus: string[], opts?): Promise<WhiteBoxDiff>       // all of it in one process
 */
import type { CanonicalModel } from '../models/types';
import type { AppliedWeightProcessing } from '../models/process-weights';
import type { ForwardRunner } from '../engine/types';
import type { Tokenizer } from '../tokenizers/types';

/** Bump when a result's meaning or shape changes incompatibly; stored with every diff. */
export const DIFF_FORMAT_VERSION = 1;

/** One side of a diff: a loaded model, its tokenizer and a runner (OnnxRunner, or ReferenceRunner in tests). */
export interface DiffModel {
  /** What the user named (`stories260K`, a path, `hf:owner/name`). */
  slug: string;
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  /** What was applied to the weights (white-box diffs require the same on both sides). */
  weightProcessing: AppliedWeightProcessing;
}

/** Serialisable description of one side, stored with the diff. */
export interface DiffModelInfo {
  slug: string;
  architecture: string;
  nLayers: number;
  nHeads: number;
  dModel: number;
  dMlp: number;
  dVocab: number;
  nCtx: number;
  tokenizer: { vocabSize: number; bosId: number; eosId: number };
  weightProcessing: AppliedWeightProcessing;
}

/** Options of the corpus passes (stored with the diff; every shard must use the same). */
export interface DiffOptions {
  /** Tokens per window, BOS included; capped at each model's n_ctx. Default 128. */
  contextLength: number;
  /** Windows per forward call. Default 8. */
  batchSize: number;
  /** Contexts kept per direction (black box) / entries per ranking (white box). Default 20. */
  topK: number;
  /** Characters of text kept before a top segment (its context). Default 160. */
  contextChars: number;
  /** Aligned segments shown on each side of a top segment (with their log-prob differences). Default 12 before, 4 after. */
  segmentsBefore: number;
  segmentsAfter: number;
  /** Documents longer than this many characters are cut (a hostile corpus cannot make one document unbounded). Default 20000. */
  maxDocumentChars: number;
}

/** A slice of the corpus: documents with their global index (`firstDocument + i`), which orders every merge. */
export interface CorpusShard {
  firstDocument: number;
  documents: string[];
}

// ───────────────────────────── black box ─────────────────────────────

/**
 * How the two models' log-probs were put side by side.
 *  tokens      both tokenizers gave the same ids for the document: segment = token, difference exact per token.
 *  characters  the tokenizations differ: each token is mapped to its character span (by decoding prefixes); a segment
 *              ends where both tokenizations end a token at the same non-whitespace character, and each model's
 *              log-prob of a segment is the sum over its tokens ending inside it (whitespace goes with the preceding
 *              characters, so tokenizers that collapse or prefix spaces still align).
 *  document    the decoded texts differ in their non-whitespace characters (e.g. an unknown-token symbol): the whole
 *              document is one segment.
 */
export type AlignmentMethod = 'tokens' | 'characters' | 'document';

export interface AlignmentSummary {
  /** `tokens` when every document aligned by tokens, `characters` when none needed `document`, else `mixed`. */
  method: AlignmentMethod | 'mixed';
  /** One or two sentences a reader sees: how the texts were aligned and why. */
  description: string;
  /** The two tokenizers have the same vocabulary size and pieces. */
  sameVocabulary: boolean;
  documents: Record<AlignmentMethod, number>;
  /** Comparison units (tokens or character segments) over the corpus. */
  segments: number;
}

/** One aligned segment of text with each model's summed log-prob (natural log) of it. */
export interface AlignedSegment {
  /** Character span in the (cut) document. */
  charStart: number;
  charEnd: number;
  text: string;
  logProbA: number;
  logProbB: number;
  /** Tokens of each model in the segment. */
  tokensA: number;
  tokensB: number;
}

/** A top context: the segment with a large difference, its neighbours and the tokens of each model inside it. */
export interface DiffContext {
  document: number;
  /** logProbB − logProbA of the focus segment. */
  diff: number;
  /** Text before the neighbours shown (≤ contextChars, cut at a character). */
  prefix: string;
  /** Neighbouring segments and the focus, in order; `focus` indexes it. */
  segments: AlignedSegment[];
  focus: number;
  /** Each model's tokens covering the focus segment: decoded text and log-prob. */
  tokensA: DiffToken[];
  tokensB: DiffToken[];
}

export interface DiffToken {
  id: number;
  text: string;
  logProb: number;
}

/**
 * Corpus totals of a black-box partial, O(1) whatever the corpus: counts are integers (exact in float64), the float
 * sums are ExactSums limbs (units: 0 = A's total nll, 1 = B's, 2 = Σ |logProbB − logProbA| over segments).
 */
export interface BlackBoxTotals {
  characters: number;
  tokensA: number;
  tokensB: number;
  segments: number;
  alignment: Record<AlignmentMethod, number>;
  sums: ExactSumsJson;
}

export interface BlackBoxPartial {
  kind: 'black-box-partial';
  formatVersion: number;
  a: DiffModelInfo;
  b: DiffModelInfo;
  options: DiffOptions;
  sameVocabulary: boolean;
  /** Document index ranges covered (merges refuse overlaps). */
  documents: Array<{ first: number; count: number }>;
  totals: BlackBoxTotals;
  /** Largest logProbB − logProbA first (B better) / largest A − B first (A better); ≤ topK each. */
  topForB: DiffContext[];
  topForA: DiffContext[];
  /** The window where B (resp. A) has the largest mean advantage per token (ties: the earlier document). */
  bestTextForB: PatchingTextChoice | null;
  bestTextForA: PatchingTextChoice | null;
}

/** Greedy continuations of one prompt by both models (temperature 0, no sampling). */
export interface ContinuationPair {
  prompt: string;
  maxNewTokens: number;
  a: { text: string; tokens: number[]; stoppedAtEos: boolean };
  b: { text: string; tokens: number[]; stoppedAtEos: boolean };
}

/**
 * A task of the circuit work (issue 19: IOI, acronyms, …) that both models can run: a hook, so the diff stays
 * independent of how tasks are built. `run` returns named metrics (accuracy, logit difference) over `n` prompts.
 */
export interface DiffTask {
  id: string;
  title: string;
  /** Null when the model cannot run it (e.g. the task's names are not single tokens in its vocabulary), with why. */
  run(model: DiffModel): Promise<{ metrics: Record<string, number>; n: number } | { unavailable: string }>;
}

export interface TaskMetricDiff {
  task: string;
  title: string;
  metric: string;
  a: number | null;
  b: number | null;
  diff: number | null;
  n: number;
  /** Why a side has no value. */
  note?: string;
}

export interface BlackBoxDiff {
  kind: 'black-box';
  formatVersion: number;
  a: DiffModelInfo;
  b: DiffModelInfo;
  options: DiffOptions;
  alignment: AlignmentSummary;
  documents: number;
  characters: number;
  lossA: ModelLossSummary;
  lossB: ModelLossSummary;
  /** Mean over segments of logProbB − logProbA, and of its absolute value. */
  meanSegmentDiff: number;
  meanAbsSegmentDiff: number;
  topForB: DiffContext[];
  topForA: DiffContext[];
  continuations: ContinuationPair[];
  tasks: TaskMetricDiff[];
  /** The text where B (resp. A) does best relative to the other: the input of activation patching. */
  bestTextForB: PatchingTextChoice | null;
  bestTextForA: PatchingTextChoice | null;
}

export interface ModelLossSummary {
  tokens: number;
  /** Mean next-token cross-entropy, nats per token of the model's own tokenization. */
  lossPerToken: number;
  /** Total nats / characters scored: comparable across tokenizers. */
  natsPerCharacter: number;
}

// ───────────────────────────── shared ─────────────────────────────

/** The text activation patching runs on, and how it was chosen. */
export interface PatchingTextChoice {
  document: number;
  text: string;
  /** Mean log-prob advantage per token of the better model on it (≥ 0). */
  advantage: number;
  better: 'a' | 'b';
}

/** Serialised ExactSums (lib/metrics/streaming/exact-sum.ts toJSON). */
export interface ExactSumsJson {
  count: number;
  sums: number[][];
}

// White-box result types (same architecture): ./types-white-box.ts, re-exported here.
export * from './types-white-box';
