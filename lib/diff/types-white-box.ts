/** White-box diff results (same architecture): weights, activations, DLA, head metrics, patching. See ./types.ts. */
import type { AppliedWeightProcessing } from '../models/process-weights';
import type { DiffModelInfo, DiffOptions, ExactSumsJson } from './types';

// ───────────────────────────── white box ─────────────────────────────

/** Weight groups compared: per head (Q, K, V: per key/value head under GQA), per neuron, whole matrices. */
export type WeightComponentKind = 'W_Q' | 'W_K' | 'W_V' | 'W_O' | 'W_in' | 'W_gate' | 'W_out' | 'W_E' | 'W_pos' | 'W_U' | 'bias' | 'norm';

export interface WeightDiffEntry {
  kind: WeightComponentKind;
  /** The weight's canonical name (`blocks.3.attn.W_Q`). */
  weight: string;
  layer: number | null;
  /** Head (W_Q, W_O), key/value head (W_K, W_V), neuron (W_in/W_gate: a column; W_out: a row), or null for a whole matrix. */
  index: number | null;
  /** ‖W_A‖_F, ‖W_B‖_F, ‖W_B − W_A‖_F of the slice. */
  normA: number;
  normB: number;
  diffNorm: number;
  /** diffNorm / ‖W_A‖_F (null when ‖W_A‖ = 0 and B differs; 0 when both are equal). */
  relative: number | null;
}

export interface WeightDiffRanking {
  kind: WeightComponentKind;
  /** Slices compared. */
  count: number;
  /** Slices whose difference is exactly zero. */
  identical: number;
  /** Whole-kind relative Frobenius norm: sqrt(Σ diff²) / sqrt(Σ ‖A‖²). */
  relative: number | null;
  /** Largest `relative` first (ties: larger diffNorm, then weight name and index). */
  top: WeightDiffEntry[];
}

export interface WeightDiff {
  /** Applied identically to both before comparing (TransformerLens process_weights_). */
  weightProcessing: AppliedWeightProcessing;
  /** Σ‖B − A‖² over all weights / Σ‖A‖², square-rooted. */
  relative: number | null;
  rankings: WeightDiffRanking[];
  /** Per layer and kind, the layer's relative Frobenius norm (a heat map). */
  layers: Array<{ layer: number; kind: WeightComponentKind; relative: number | null }>;
}

/** Activation sites compared, each a unit per head, neuron or layer. */
export type ActivationSite =
  'attn.hook_result' | 'attn.hook_pattern' | 'mlp.hook_post' | 'hook_attn_out' | 'hook_mlp_out' | 'hook_resid_post';

export interface ActivationDiffEntry {
  site: ActivationSite;
  layer: number;
  /** Head (hook_result), neuron (mlp.hook_post), or null (a layer's output). */
  index: number | null;
  /**
   * Mean over positions of ‖x_B − x_A‖₂ (a neuron: |x_B − x_A|; attn.hook_pattern: the total variation distance
   * ½ Σ_k |p_B − p_A| of each query's attention, whose norms count as 1).
   */
  meanDiff: number;
  meanNormA: number;
  meanNormB: number;
  /** meanDiff / meanNormA (null when A's is 0 and B differs). */
  relative: number | null;
}

export interface ActivationDiffRanking {
  site: ActivationSite;
  units: number;
  /** Units whose difference is exactly zero at every position. */
  identical: number;
  /** Largest meanDiff first (ties by layer, index). */
  top: ActivationDiffEntry[];
}

/** Direct logit attribution of one component to the correct next token, mean over positions, for each model. */
export interface DlaDiffEntry {
  component: 'head' | 'attn' | 'mlp';
  layer: number;
  head: number | null;
  dlaA: number;
  dlaB: number;
  diff: number;
}

export interface DlaDiff {
  positions: number;
  /** Every component (heads, then per layer attn and mlp), in model order. */
  entries: DlaDiffEntry[];
  /** Largest |diff| first, ≤ topK. */
  top: DlaDiffEntry[];
  /** Texts (documents) on which one component's mean DLA differs most, largest |diff| first, ≤ topK (6.57: "on various texts"). */
  texts: DlaTextDiff[];
}

/** One document's largest DLA difference: the component, both models' mean DLA over the document's positions. */
export interface DlaTextDiff extends DlaDiffEntry {
  document: number;
  /** The document's first characters (≤ 200). */
  text: string;
  positions: number;
}

export interface WhiteBoxPartial {
  kind: 'white-box-partial';
  formatVersion: number;
  a: DiffModelInfo;
  b: DiffModelInfo;
  options: DiffOptions;
  documents: Array<{ first: number; count: number }>;
  /** Token positions the activations were compared at (every window position, BOS included). */
  positions: number;
  /** Positions with a next token (DLA's positions). */
  dlaPositions: number;
  /** Per site: unit order is layer-major (layer × heads / neurons / 1). */
  activation: Record<ActivationSite, { diff: ExactSumsJson; normA: ExactSumsJson; normB: ExactSumsJson; nonZero: number[] }>;
  /** Units: per layer, heads then attn then mlp (layer-major). */
  dla: { a: ExactSumsJson; b: ExactSumsJson };
  /** Per document its largest DLA difference, ≤ topK documents (largest |diff| first; ties by document). */
  dlaTexts: DlaTextDiff[];
}

export interface HeadMetricDiffSummary {
  id: string;
  title: string;
  version: number;
  meanAbsDiff: number;
  maxAbsDiff: number;
  maxAbsDiffHead: string;
  correlation: number | null;
}

export interface HeadMetricDiff {
  metrics: HeadMetricDiffSummary[];
  /** Largest |b − a| first over every metric and head, ≤ topK. */
  top: Array<{ metric: string; layer: number; head: number; a: number; b: number; diff: number }>;
}

export interface PatchingComponentResult {
  component: 'head' | 'mlp';
  layer: number;
  head: number | null;
  hook: string;
  /** The receiving model's loss with this one component patched from the better model. */
  patchedLoss: number;
  /** (loss − patchedLoss) / (loss − betterLoss): 1 = this component alone carries the whole improvement. */
  recovered: number;
}

export interface PatchingDiff {
  text: string;
  tokens: number;
  /** The model that does better on the text (its activations are patched into the other's run). */
  source: 'a' | 'b';
  /** Mean next-token loss of the receiving model, the source model, and the receiver with every component patched. */
  receiverLoss: number;
  sourceLoss: number;
  allPatchedLoss: number;
  /** Largest `recovered` first. */
  components: PatchingComponentResult[];
}

export interface WhiteBoxDiff {
  kind: 'white-box';
  formatVersion: number;
  a: DiffModelInfo;
  b: DiffModelInfo;
  options: DiffOptions;
  weights: WeightDiff;
  positions: number;
  activations: ActivationDiffRanking[];
  dla: DlaDiff;
  headMetrics: HeadMetricDiff | null;
  patching: PatchingDiff | null;
}
