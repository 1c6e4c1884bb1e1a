import type { Tokenizer } from '../tokenizers/types';
import type { ForwardRunner } from '../engine/types';
import type { CanonicalModel } from '../models/types';

/**
 * Circuits (issue 19): the data every circuit computation takes and returns. Everything here is plain JSON
 * (number[], no typed arrays), so a result can be stored with a run, served by the API and exported as is.
 *
 * The computations (each module exports one of the function types at the bottom):
 *   lib/circuits/tasks/index.ts       buildTask(kind, tokenizer, opts) → TaskBuild; parseUserTasks(jsonl, tokenizer)
 *   lib/circuits/performance.ts       checkTaskPerformance(runner, model, task, opts) → TaskUsability (run this first)
 *   lib/circuits/patching/*.ts        patchHeads / patchResidual / patchLayers / patchNeurons / causalTrace → PatchSweepResult
 *   lib/circuits/path-patching.ts     pathPatch(runner, model, task, opts) → PathPatchResult
 *   lib/circuits/discovery.ts         discoverCircuit(runner, model, task, { threshold }) → Circuit
 *   lib/circuits/roles/index.ts       detectRoles(runner, model, tasks) → RoleReport
 *
 * Conventions: heads are (layer, head); positions index the token sequence INCLUDING the BOS the task prepends;
 * "clean" is the prompt the model should answer, "corrupted" the one that breaks the answer (IOI: ABC names).
 */

/** A published source of a task or a role definition. */
export interface Citation {
  /** Short form: "Wang et al. 2022, Interpretability in the Wild". */
  text: string;
  url: string;
}

/** The built-in task generators, plus user-supplied JSONL. */
export type TaskKind =
  'ioi' | 'induction' | 'greater_than' | 'icl_antonym' | 'icl_country_capital' | 'icl_english_french' | 'factual_recall' | 'user';

/** How a patched run is scored against the answer. logit_diff: logit(answer) − logit(wrong) at the final position;
 * prob: p(answer); kl: KL(clean ‖ patched) of the final position's next-token distribution (lower = closer to clean). */
export type MetricKind = 'logit_diff' | 'prob' | 'kl';

/** One (clean, corrupted) prompt pair, already tokenized; clean and corrupted have the same length. */
export interface PromptPair {
  clean: number[];
  corrupted: number[];
  /** The token the clean prompt should be continued with at its last position, and the competing one. */
  answer: number;
  wrong: number;
  /**
   * Named positions the role detectors read (token indices, BOS included). IOI: IO, S1, S2, END; factual recall:
   * SUBJECT (every subject token), END; ICL: END and the demonstration answers; induction: the repeated half.
   */
  positions: Record<string, number[]>;
  /** The texts, for display (user tasks and generators that have them). */
  cleanText?: string;
  corruptedText?: string;
}

export interface Task {
  kind: TaskKind;
  /** Stable name, e.g. `ioi`, `icl_antonym`, or the user's file name. */
  name: string;
  description: string;
  citation: Citation | null;
  metric: MetricKind;
  /** Bumped when the generator changes what it produces. */
  version: number;
  pairs: PromptPair[];
  /** Items the generator left out because a word is not a single token of this tokenizer (reported, never silent). */
  skipped: string[];
}

/** A generator's answer: a task, or why this tokenizer cannot express it. */
export type TaskBuild = { ok: true; task: Task } | { ok: false; kind: TaskKind; reason: string; skipped: string[] };

export interface TaskBuildOptions {
  /** Number of prompt pairs (generators sample with this seed). */
  count?: number;
  seed?: number;
}

/** Whether the model performs the task well enough for its roles to be tested (checked before anything else). */
export interface TaskPerformance {
  /** Mean metric (logit difference, or p(answer)) on clean and corrupted prompts. */
  cleanMetric: number;
  corruptedMetric: number;
  /** Share of clean prompts whose answer beats the wrong token. */
  accuracy: number;
  /** The thresholds both must pass: accuracy ≥ minAccuracy and clean − corrupted ≥ minGap. */
  minAccuracy: number;
  minGap: number;
  forwardPasses: number;
}

/** usable: roles may be tested; untestable: every role on this task is "untestable on this model", never "no". */
export type TaskUsability =
  | { status: 'usable'; task: string; performance: TaskPerformance }
  | { status: 'untestable'; task: string; reason: 'tokenizer' | 'performance'; detail: string; performance: TaskPerformance | null };

/** Which activation a sweep patches. `head` sites sweep (layer, head); the others sweep layers (or neurons). */
export type PatchSite =
  | 'head_out' // attn.hook_z, one head
  | 'head_q'
  | 'head_k'
  | 'head_v'
  | 'head_pattern'
  | 'resid_pre'
  | 'attn_out'
  | 'mlp_out'
  | 'neuron' // mlp.hook_post, one neuron
  | 'attn_window' // ROME: hook_attn_out of `window` adjacent layers at once
  | 'mlp_window'
  | 'causal_trace'; // ROME causal tracing: noised subject embeddings, clean resid_pre restored

/**
 * One sweep: a grid of patched runs. Patching direction is denoising (clean activations into the corrupted run;
 * causal tracing: clean into the noised run), so effect = (patched − corrupted) / (clean − corrupted): 1 restores
 * the clean behaviour, 0 does nothing, negative pushes further away. Rows are the grid's first axis.
 */
export interface PatchSweepResult {
  task: string;
  site: PatchSite;
  /** Grid axes and sizes, e.g. ['layer', 'head'], ['layer', 'head', 'pos'], ['layer', 'pos'], ['neuron']. */
  axes: string[];
  shape: number[];
  /** Normalised effect per grid cell, row-major over `axes` (mean over prompt pairs). */
  effects: number[];
  /** Mean raw metric per grid cell. */
  metrics: number[];
  cleanMetric: number;
  corruptedMetric: number;
  metric: MetricKind;
  /** Layers per window (windows only). */
  window?: number;
  /** Forward passes (batches) this sweep ran, and the rows they held. */
  forwardPasses: number;
  rows: number;
  /** What a one-patch-per-forward implementation would need: grid cells × prompt pairs. */
  naiveForwardPasses: number;
}

/** A node of the head/MLP graph. `embed` sends to everything, `logits` receives from everything. */
export interface CircuitNode {
  id: string; // 'embed', 'L2H3', 'MLP4', 'logits'
  kind: 'embed' | 'head' | 'mlp' | 'logits';
  layer: number | null;
  head: number | null;
}

/** An edge sender → receiver; channel says which input of the receiver it reaches. */
export interface CircuitEdge {
  from: string;
  to: string;
  channel: 'q' | 'k' | 'v' | 'mlp_in' | 'logits';
  /** How much the metric moved (toward the corrupted run) when this edge alone was corrupted, at the time it was tested. */
  effect: number;
}

export interface Circuit {
  task: { kind: TaskKind; name: string; version: number };
  method: 'acdc';
  metric: MetricKind;
  /** Edges whose effect is below this are removed (ACDC's τ). */
  threshold: number;
  nodes: CircuitNode[];
  edges: CircuitEdge[];
  /** How many edges the full graph had. */
  edgesConsidered: number;
  /** Metric of the clean run, the corrupted run, and the run with every removed edge corrupted. */
  cleanMetric: number;
  corruptedMetric: number;
  circuitMetric: number;
  forwardPasses: number;
  version: number;
  /** Set when the search was stopped early (onReceiver): only the first receivers were pruned. */
  incomplete?: { receiversDone: number; receiversTotal: number };
}

/** Path patching: the effect of corrupting sender → receiver paths (Wang et al. 2022, section 3). */
export interface PathPatchResult {
  task: string;
  /** 'logits': the direct path to the output; otherwise the chosen receivers' q, k or v. */
  receiver: { kind: 'logits' } | { kind: 'heads'; heads: Array<{ layer: number; head: number }>; channel: 'q' | 'k' | 'v' };
  /** Normalised effect per sender head [layer][head]: (patched − clean) / (clean − corrupted); −1 = the whole effect. */
  effects: number[][];
  cleanMetric: number;
  corruptedMetric: number;
  forwardPasses: number;
  naiveForwardPasses: number;
}

export type CircuitRole =
  | 'name_mover'
  | 'negative_name_mover'
  | 'backup_name_mover'
  | 's_inhibition'
  | 'duplicate_token_ioi'
  | 'induction_ioi'
  | 'copy_suppression'
  | 's_suppression'
  | 'function_vector'
  | 'translation'
  | 'fact_mover'
  | 'classic_induction'
  | 'pointer_arithmetic_induction';

/** Registry entry of a role: what it means and where it comes from (docs and pages read these). */
export interface RoleDefinition {
  role: CircuitRole;
  title: string;
  definition: string;
  citation: Citation;
  version: number;
  /** The tasks it is measured on. */
  tasks: TaskKind[];
}

/** One head's verdict for one role. `untestable` whenever the task is unusable on this model: never a false "no". */
export interface RoleVerdict {
  role: CircuitRole;
  layer: number;
  head: number;
  /** The detector's score and the threshold it was compared with. */
  score: number;
  threshold: number;
  verdict: 'yes' | 'no' | 'untestable';
  /** Why (untestable: the task's reason; yes/no: the deciding numbers in words). */
  reason: string;
  definition: string;
  citation: Citation;
  version: number;
  /** The intervention that backs the verdict (path patching, knockout, ablation) and its measured effect. */
  confirmation: { method: string; effect: number | null; confirmed: boolean | null };
  /** The task the verdict was measured on. */
  task: string;
}

export interface RoleReport {
  tasks: TaskUsability[];
  /** Every (role, head) the detectors scored; heads not listed for a role were not scored for it. */
  verdicts: RoleVerdict[];
  /** The IOI circuit found by discovery, when IOI was usable. */
  circuits: Circuit[];
  forwardPasses: number;
  /** What the model does that the paper's taxonomy does not name (e.g. S-suppressing heads), in words. */
  notes: string[];
}

/* ---- Signatures of the exported computations (implemented in the modules listed at the top). ---- */

/** The weights a computation reads besides running the model (effective embeddings, W_O, W_U). */
export type CircuitModel = Pick<CanonicalModel, 'cfg' | 'weights'>;

export type BuildTask = (kind: Exclude<TaskKind, 'user'>, tokenizer: Tokenizer, opts?: TaskBuildOptions) => TaskBuild;
/** JSONL lines `{"clean","corrupted","answer","wrong"}`; errors name the line and the field. */
export type ParseUserTasks = (jsonl: string, tokenizer: Tokenizer, opts: { name: string; metric?: MetricKind }) => TaskBuild;
export type CheckTaskPerformance = (
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts?: { minAccuracy?: number; minGap?: number },
) => Promise<TaskUsability>;
export interface PatchHeadsOptions {
  site?: 'head_out' | 'head_q' | 'head_k' | 'head_v' | 'head_pattern';
  /** Sweep every (layer, head, position) instead of all positions at once. */
  perPosition?: boolean;
  /** Rows per forward batch (default: as many as fit 4096 tokens). */
  maxRows?: number;
}
export type PatchHeads = (runner: ForwardRunner, model: CircuitModel, task: Task, opts?: PatchHeadsOptions) => Promise<PatchSweepResult>;
export type PathPatch = (
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { receiver: PathPatchResult['receiver']; maxRows?: number },
) => Promise<PathPatchResult>;
export type DiscoverCircuit = (
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { threshold: number; metric?: MetricKind },
) => Promise<Circuit>;
export type DetectRoles = (
  runner: ForwardRunner,
  model: CircuitModel,
  tasks: Array<Task | TaskBuild>,
  opts?: { discover?: boolean },
) => Promise<RoleReport>;
