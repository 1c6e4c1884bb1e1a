/**
 * A run's circuits (issue 19): builds the built-in tasks for the model's tokenizer, checks which the model
 * performs, detects the circuit roles, and for each usable task patches every head, path-patches each head's
 * direct effect and discovers its circuit (ACDC) — what lib/db/circuits.ts stores and the circuit pages draw. The computations
 * themselves are lib/circuits'; this step only chooses what to run and shapes the results for storage.
 */
import type { ForwardRunner } from '@/lib/engine/types';
import type {
  CheckTaskPerformance,
  CircuitModel,
  DetectRoles,
  DiscoverCircuit,
  PatchHeads,
  PathPatch,
  Task,
  TaskBuild,
  TaskBuildOptions,
} from '@/lib/circuits/types';
import type { CircuitTaskRecord, HeadRoleRecord } from '@/lib/db/circuits';
import type { Tokenizer } from '@/lib/tokenizers/types';

/** What this step calls in lib/circuits (workers/circuits/computations.ts wires the real ones). */
export interface CircuitComputations {
  buildAllTasks: (tokenizer: Tokenizer, opts?: TaskBuildOptions) => TaskBuild[];
  checkTaskPerformance: CheckTaskPerformance;
  patchHeads: PatchHeads;
  pathPatch: PathPatch;
  discoverCircuit: DiscoverCircuit;
  /** The role detectors; without them the run stores tasks, patching and circuits, and no role verdicts. */
  detectRoles?: DetectRoles;
}

/** ACDC's τ: an edge stays when corrupting it alone moves the metric by at least this share of clean − corrupted. */
export const DISCOVERY_THRESHOLD = 0.05;

export interface CircuitWiki {
  tasks: CircuitTaskRecord[];
  roles: HeadRoleRecord[];
  /** Recorded with the run's options as `circuits`. */
  notes: { tasks: number; usable: string[]; forwardPasses: number; notes: string[]; promptPairs: number; discoveryThreshold: number };
}

export interface ComputeCircuitWikiInput {
  model: CircuitModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  seed: number;
  computations: CircuitComputations;
  /** Prompt pairs per task (default 32). */
  promptPairs?: number;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
}

/** Prompt pairs shown as text on a task's page. */
const EXAMPLES_SHOWN = 4;

export async function computeCircuitWiki(input: ComputeCircuitWikiInput): Promise<CircuitWiki> {
  const { model, tokenizer, runner, computations: c } = input;
  const promptPairs = input.promptPairs ?? 32;
  const builds = c.buildAllTasks(tokenizer, { count: promptPairs, seed: input.seed });
  // Roles first: the detectors check every task's usability themselves and say "untestable" where it fails.
  const report = c.detectRoles
    ? await c.detectRoles(runner, model, builds, { discover: false })
    : { tasks: [], verdicts: [], circuits: [], forwardPasses: 0, notes: [] };
  let forwardPasses = report.forwardPasses;
  const tasks: CircuitTaskRecord[] = [];
  for (const [i, build] of builds.entries()) {
    input.onProgress?.({ step: 'circuits', done: i, total: builds.length });
    if (!build.ok) {
      tasks.push({
        task: build.kind,
        kind: build.kind,
        description: `not expressible with this tokenizer: ${build.reason}`,
        citation: null,
        metric: 'logit_diff',
        version: 0,
        usability: { status: 'untestable', task: build.kind, reason: 'tokenizer', detail: build.reason, performance: null },
        examples: [],
        sweeps: [],
        pathPatching: [],
        circuit: null,
      });
      continue;
    }
    const task = build.task;
    const usability = await c.checkTaskPerformance(runner, model, task);
    const usable = usability.status === 'usable';
    const sweeps = usable ? [await c.patchHeads(runner, model, task), await c.patchHeads(runner, model, task, { perPosition: true })] : [];
    const pathPatching = usable ? [await c.pathPatch(runner, model, task, { receiver: { kind: 'logits' } })] : [];
    const circuit = usable ? await c.discoverCircuit(runner, model, task, { threshold: DISCOVERY_THRESHOLD }) : null;
    forwardPasses +=
      (usability.performance?.forwardPasses ?? 0) +
      sweeps.reduce((n, s) => n + s.forwardPasses, 0) +
      pathPatching.reduce((n, p) => n + p.forwardPasses, 0) +
      (circuit?.forwardPasses ?? 0);
    tasks.push({
      task: task.name,
      kind: task.kind,
      description: task.description,
      citation: task.citation,
      metric: task.metric,
      version: task.version,
      usability,
      examples: task.pairs.slice(0, EXAMPLES_SHOWN).map((p) => promptText(tokenizer, p)),
      sweeps,
      pathPatching,
      circuit,
    });
  }
  input.onProgress?.({ step: 'circuits', done: builds.length, total: builds.length });
  const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
  const roles: HeadRoleRecord[] = report.verdicts.map((v) => ({
    ...v,
    score: finiteOrNull(v.score),
    threshold: finiteOrNull(v.threshold),
  }));
  return {
    tasks,
    roles,
    notes: {
      tasks: tasks.length,
      usable: tasks.filter((t) => t.usability.status === 'usable').map((t) => t.task),
      forwardPasses,
      notes: report.notes,
      promptPairs,
      discoveryThreshold: DISCOVERY_THRESHOLD,
    },
  };
}

function promptText(tokenizer: Tokenizer, p: Task['pairs'][number]): CircuitTaskRecord['examples'][number] {
  const decode = (ids: number[]) => tokenizer.decode(ids.filter((id) => id !== tokenizer.bosId));
  return {
    clean: p.cleanText ?? decode(p.clean),
    corrupted: p.corruptedText ?? decode(p.corrupted),
    answer: tokenizer.piece(p.answer),
    wrong: tokenizer.piece(p.wrong),
    tokens: p.clean.map((id) => tokenizer.piece(id)),
  };
}
