import type { ForwardRunner } from '../../engine/types';
import { ReferenceRunner } from '../../engine/reference';
import { makeRng } from '../../sampling/random';
import type { CircuitModel, CircuitRole, RoleReport, RoleVerdict, Task, TaskBuild, TaskKind, TaskUsability } from '../types';
import { CountingRunner } from '../metric';
import { checkTaskPerformance, tokenizerUsability } from '../performance';
import { discoverCircuit } from '../discovery/acdc';
import { untestableAll } from './definitions';
import { detectIoiRoles } from './ioi-roles';
import { copySuppressionScores, copySuppressionVerdicts } from './copy-suppression';
import { aieVerdicts, factMoverVerdicts, lastTokenHeadEffects } from './task-roles';
import { inductionKindVerdicts } from './induction-kind';
import { sSuppressionVerdicts } from './s-suppression';

export { ROLE_DEFINITIONS, ROLE_THRESHOLDS } from './definitions';

const IOI_ROLES: CircuitRole[] = [
  'name_mover',
  'negative_name_mover',
  'backup_name_mover',
  's_inhibition',
  'duplicate_token_ioi',
  'induction_ioi',
];
const ICL_TASKS: TaskKind[] = ['icl_antonym', 'icl_country_capital', 'icl_english_french'];

export interface DetectRolesOptions {
  /** Runner for a modified copy of the model (backup name movers knock the name movers out). Default: the reference forward. */
  runnerFor?: (model: CircuitModel) => ForwardRunner;
  /** Also discover the IOI circuit (ACDC) when IOI is usable. */
  discover?: boolean;
  discoveryThreshold?: number;
}

/**
 * Every circuit role on every head, from the tasks given (built tasks, or generator failures to report): each task's
 * performance is checked first, and every role measured on an unusable task is "untestable" for every head.
 */
export async function detectRoles(
  runner: ForwardRunner,
  model: CircuitModel,
  tasks: Array<Task | TaskBuild>,
  opts: DetectRolesOptions = {},
): Promise<RoleReport> {
  const counted = new CountingRunner(runner);
  const { n_layers: L, n_heads: H } = model.cfg;
  const usability: TaskUsability[] = [];
  const usable = new Map<TaskKind, Task>();
  const built: Task[] = [];
  for (const entry of tasks) {
    if ('ok' in entry && !entry.ok) {
      usability.push(tokenizerUsability(entry));
      continue;
    }
    const task = 'ok' in entry ? (entry as Extract<TaskBuild, { ok: true }>).task : (entry as Task);
    built.push(task);
    const u = await checkTaskPerformance(counted, model, task);
    usability.push(u);
    if (u.status === 'usable') usable.set(task.kind, task);
  }
  const why = (kind: TaskKind): TaskUsability | string => usability.find((u) => u.task === kind) ?? `untestable: no ${kind} task was run`;
  const verdicts: RoleVerdict[] = [];
  const notes: string[] = [];
  let direct: number[][] | null = null;
  let ioiAttention: { toIO: number[][]; toS2: number[][] } | null = null;

  const ioi = usable.get('ioi');
  if (ioi) {
    const r = await detectIoiRoles(counted, model, ioi, opts.runnerFor ?? ((m) => new ReferenceRunner(m)));
    verdicts.push(...r.verdicts);
    notes.push(...r.notes);
    direct = r.direct;
    ioiAttention = r.attention;
  } else for (const role of IOI_ROLES) verdicts.push(...untestableAll(role, L, H, why('ioi')));

  // Copy suppression: weights on the tokens the model predicts in the tasks it performs (a model trained on IOI only
  // ever copies names: its other tokens say nothing about suppression); else every built task's answers, else a
  // seeded sample of the vocabulary.
  const answerTokens = (ts: Task[]) => [...new Set(ts.flatMap((t) => t.pairs.flatMap((p) => [p.answer, p.wrong])))];
  let tokens = answerTokens([...usable.values()]);
  let tokenSource = `${tokens.length} answer tokens of the usable tasks`;
  if (tokens.length < 10) {
    tokens = answerTokens(built);
    tokenSource = `${tokens.length} answer tokens of the tasks`;
  }
  if (tokens.length < 10) {
    const rng = makeRng(7);
    const n = Math.min(500, model.cfg.d_vocab);
    tokens = [...new Set(Array.from({ length: n }, () => rng.int(model.cfg.d_vocab)))];
    tokenSource = `${tokens.length} sampled tokens`;
  }
  const cs = await copySuppressionScores(counted, model, tokens);
  verdicts.push(...copySuppressionVerdicts(cs, direct, tokenSource));
  if (ioi && direct && ioiAttention)
    verdicts.push(...sSuppressionVerdicts(cs.ov, direct, ioiAttention.toS2, ioiAttention.toIO, tokenSource, ioi.name));
  else verdicts.push(...untestableAll('s_suppression', L, H, why('ioi')));

  const icl = ICL_TASKS.map((k) => usable.get(k)).filter((t): t is Task => t !== undefined);
  const iclSweeps = [];
  for (const t of icl) iclSweeps.push(await lastTokenHeadEffects(counted, model, t));
  if (iclSweeps.length > 0) verdicts.push(...aieVerdicts('function_vector', iclSweeps));
  else
    verdicts.push(
      ...untestableAll(
        'function_vector',
        L,
        H,
        'untestable on this model: no few-shot task is usable (' + ICL_TASKS.map((k) => describe(why(k))).join('; ') + ')',
      ),
    );
  const translation = iclSweeps.find((s) => s.task === 'icl_english_french');
  if (translation) verdicts.push(...aieVerdicts('translation', [translation]));
  else verdicts.push(...untestableAll('translation', L, H, why('icl_english_french')));

  const factual = usable.get('factual_recall');
  if (factual) verdicts.push(...(await factMoverVerdicts(counted, model, factual)).verdicts);
  else verdicts.push(...untestableAll('fact_mover', L, H, why('factual_recall')));

  const induction = usable.get('induction');
  if (induction) verdicts.push(...(await inductionKindVerdicts(counted, model, induction)).verdicts);
  else
    for (const role of ['classic_induction', 'pointer_arithmetic_induction'] as const)
      verdicts.push(...untestableAll(role, L, H, why('induction')));

  const circuits = ioi && opts.discover ? [await discoverCircuit(counted, model, ioi, { threshold: opts.discoveryThreshold ?? 0.05 })] : [];
  const csHeads = verdicts.filter((v) => v.role === 'copy_suppression' && v.verdict === 'yes').map((v) => `L${v.layer}H${v.head}`);
  if (csHeads.length > 0) notes.push(`Copy-suppression heads (weights): ${csHeads.join(', ')}.`);
  const ssHeads = verdicts.filter((v) => v.role === 's_suppression' && v.verdict === 'yes').map((v) => `L${v.layer}H${v.head}`);
  if (ssHeads.length > 0) notes.push(`S-suppressing heads (attend to S2, write −S, OV suppresses what it reads): ${ssHeads.join(', ')}.`);
  return { tasks: usability, verdicts, circuits, forwardPasses: counted.passes, notes };
}

function describe(u: TaskUsability | string): string {
  if (typeof u === 'string') return u;
  return u.status === 'usable' ? `${u.task} usable` : `${u.task}: ${u.detail}`;
}
