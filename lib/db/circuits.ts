/**
 * Circuits of a run (issue 19): one CircuitTask row per task the run tried (usability, patching sweeps, path
 * patching, the discovered circuit) and one HeadRole row per (head, role) verdict. Written before publishing,
 * immutable after (database triggers), like every other table of a run.
 */
import { z } from 'zod';
import type { Circuit, PatchSweepResult, PathPatchResult, RoleVerdict, TaskUsability } from '@/lib/circuits/types';
import type { Prisma } from '@/lib/generated/prisma/client';
import { getPrisma } from './client';
import { lockRunForWriting } from './run-lock';
import { nonNegativeInt32, parseInput, runIdSchema } from './validate';

/** A task as stored: what lib/circuits computed for it, with a few prompts as text for the page. */
export interface CircuitTaskRecord {
  task: string;
  kind: string;
  description: string;
  citation: { text: string; url: string } | null;
  metric: string;
  version: number;
  usability: TaskUsability;
  /** `tokens`: the clean prompt's tokens (BOS included), for the per-position heatmap's columns. */
  examples: { clean: string; corrupted: string; answer: string; wrong: string; tokens?: string[] }[];
  sweeps: PatchSweepResult[];
  pathPatching: PathPatchResult[];
  circuit: Circuit | null;
}

/** A verdict as stored: a score or threshold the detector did not produce (untestable) is null. */
export type HeadRoleRecord = Omit<RoleVerdict, 'score' | 'threshold'> & { score: number | null; threshold: number | null };

/** Task names are URL segments (`/models/{m}/circuits/{task}`). */
export const taskNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a task name like "ioi" or "icl_antonym"');

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const taskSchema = z.object({
  task: taskNameSchema,
  kind: z.string().min(1),
  description: z.string(),
  citation: z.object({ text: z.string(), url: z.string() }).nullable(),
  metric: z.string().min(1),
  version: nonNegativeInt32,
  usability: z.object({ status: z.enum(['usable', 'untestable']) }).passthrough(),
  examples: z.array(
    z.object({ clean: z.string(), corrupted: z.string(), answer: z.string(), wrong: z.string(), tokens: z.array(z.string()).optional() }),
  ),
  sweeps: z.array(
    z.object({ site: z.string(), shape: z.array(nonNegativeInt32), effects: z.array(z.number().or(z.nan()).nullable()) }).passthrough(),
  ),
  pathPatching: z.array(z.object({ effects: z.array(z.array(z.number().or(z.nan()).nullable())) }).passthrough()),
  circuit: z
    .object({ nodes: z.array(z.object({ id: z.string() }).passthrough()), edges: z.array(z.object({}).passthrough()) })
    .passthrough()
    .nullable(),
});
const roleSchema = z.object({
  layer: nonNegativeInt32,
  head: nonNegativeInt32,
  role: z.string().regex(/^[a-z][a-z0-9_]*$/),
  task: z.string().min(1),
  verdict: z.enum(['yes', 'no', 'untestable']),
  score: finite.nullable(),
  threshold: finite.nullable(),
});

/** NaN and ±Infinity are not JSON: a sweep cell that could not be measured is stored as null. */
function jsonSafe<T>(value: T): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

/** Saves (or replaces) a running run's circuit tasks and head roles. */
export async function saveCircuits(runId: string, tasks: CircuitTaskRecord[], roles: HeadRoleRecord[]): Promise<void> {
  parseInput(runIdSchema, runId, 'saveCircuits');
  parseInput(z.array(taskSchema), tasks, 'saveCircuits');
  parseInput(z.array(roleSchema), roles, 'saveCircuits');
  const names = new Set<string>();
  for (const t of tasks) {
    if (names.has(t.task)) throw new Error(`saveCircuits: task "${t.task}" is listed twice`);
    names.add(t.task);
  }
  await getPrisma().$transaction(async (tx) => {
    const dims = await lockRunForWriting(tx, runId, 'saveCircuits');
    const outside = roles.find((r) => r.layer >= dims.nLayers || r.head >= dims.nHeads);
    if (outside) throw new Error(`saveCircuits: L${outside.layer}H${outside.head} is outside the model`);
    await tx.circuitTask.deleteMany({ where: { runId } });
    await tx.headRole.deleteMany({ where: { runId } });
    await tx.circuitTask.createMany({
      data: tasks.map((t) => ({
        runId,
        task: t.task,
        kind: t.kind,
        status: t.usability.status,
        usability: jsonSafe(t.usability),
        description: t.description,
        citation: t.citation ? jsonSafe(t.citation) : undefined,
        metric: t.metric,
        version: t.version,
        examples: jsonSafe(t.examples),
        sweeps: jsonSafe(t.sweeps),
        pathPatching: jsonSafe(t.pathPatching),
        circuit: t.circuit ? jsonSafe(t.circuit) : undefined,
      })),
    });
    await tx.headRole.createMany({
      data: roles.map(({ layer, head, role, task, verdict, score, threshold, ...detail }) => ({
        runId,
        layer,
        head,
        role,
        task,
        verdict,
        score,
        threshold,
        detail: jsonSafe(detail),
      })),
    });
  });
}

/** The run's tasks without their heavy columns, in name order (for lists and the head table). */
export async function listCircuitTasks(runId: string): Promise<Pick<CircuitTaskRecord, 'task' | 'kind' | 'description' | 'usability'>[]> {
  const rows = await getPrisma().circuitTask.findMany({
    where: { runId },
    orderBy: { task: 'asc' },
    select: { task: true, kind: true, description: true, usability: true },
  });
  return rows.map((r) => ({ ...r, usability: r.usability as unknown as TaskUsability }));
}

/** One task with everything; null when the run has no such task. */
export async function getCircuitTask(runId: string, task: string): Promise<CircuitTaskRecord | null> {
  if (!taskNameSchema.safeParse(task).success) return null;
  const r = await getPrisma().circuitTask.findUnique({ where: { runId_task: { runId, task } } });
  if (!r) return null;
  return {
    task: r.task,
    kind: r.kind,
    description: r.description,
    citation: (r.citation as CircuitTaskRecord['citation']) ?? null,
    metric: r.metric,
    version: r.version,
    usability: r.usability as unknown as TaskUsability,
    examples: r.examples as unknown as CircuitTaskRecord['examples'],
    sweeps: r.sweeps as unknown as PatchSweepResult[],
    pathPatching: r.pathPatching as unknown as PathPatchResult[],
    circuit: (r.circuit as unknown as Circuit) ?? null,
  };
}

/** Role verdicts of a run (or of one head), ordered by layer, head, role. */
export async function getHeadRoles(runId: string, head?: { layer: number; head: number }): Promise<HeadRoleRecord[]> {
  const rows = await getPrisma().headRole.findMany({
    where: { runId, ...(head ? { layer: head.layer, head: head.head } : {}) },
    orderBy: [{ layer: 'asc' }, { head: 'asc' }, { role: 'asc' }],
  });
  return rows.map((r) => ({
    ...(r.detail as unknown as Omit<RoleVerdict, 'layer' | 'head' | 'role' | 'task' | 'verdict' | 'score' | 'threshold'>),
    layer: r.layer,
    head: r.head,
    role: r.role as RoleVerdict['role'],
    task: r.task,
    verdict: r.verdict as RoleVerdict['verdict'],
    score: r.score,
    threshold: r.threshold,
  }));
}
