/** /api/v1/models/{model}/circuits, /circuits/{task}, /roles and /literature (issue 19). */
import { z } from 'zod';
import { taskNameSchema } from '@/lib/db/circuits';
import { modelParam, modelRunErrors, runQuery } from './common';
import { modelSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

/** A task of the contract fixtures (lib/api/openapi/contract-fixtures.ts). */
export const EXAMPLE_TASK = 'ioi';

const citation = z.object({ text: z.string(), url: z.string() });
const usability = z
  .object({ status: z.enum(['usable', 'untestable']), task: z.string(), performance: z.looseObject({}).nullable().optional() })
  .loose();
const roleVerdict = z
  .object({
    role: z.string(),
    layer: z.number().int(),
    head: z.number().int(),
    task: z.string(),
    verdict: z.enum(['yes', 'no', 'untestable']),
    score: z.number().nullable(),
    threshold: z.number().nullable(),
    reason: z.string(),
    definition: z.string(),
    citation,
    version: z.number().int(),
    confirmation: z.object({ method: z.string(), effect: z.number().nullable(), confirmed: z.boolean().nullable() }),
  })
  .loose();
const circuitSchema = z
  .object({
    method: z.string(),
    metric: z.string(),
    threshold: z.number(),
    nodes: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(['embed', 'head', 'mlp', 'logits']),
        layer: z.number().int().nullable(),
        head: z.number().int().nullable(),
      }),
    ),
    edges: z.array(
      z.object({ from: z.string(), to: z.string(), channel: z.enum(['q', 'k', 'v', 'mlp_in', 'logits']), effect: z.number() }),
    ),
    edgesConsidered: z.number().int(),
    cleanMetric: z.number(),
    corruptedMetric: z.number(),
    circuitMetric: z.number(),
  })
  .loose();
const sweep = z
  .object({ site: z.string(), axes: z.array(z.string()), shape: z.array(z.number().int()), effects: z.array(z.number().nullable()) })
  .loose();

export const circuitEndpoints: EndpointDoc[] = [
  {
    operationId: 'listCircuitTasks',
    path: '/api/v1/models/{model}/circuits',
    tag: 'Circuits',
    summary: 'Tasks the run tried and whether the model performs them',
    description:
      'Every built-in task (IOI, induction, greater-than, few-shot, factual recall) the run built for this tokenizer, with its usability: ' +
      '`usable` (accuracy and clean−corrupted gap pass the thresholds) or `untestable` (tokenizer or performance), in which case every role on it is untestable.',
    pathParams: { model: modelParam },
    query: { run: runQuery },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      tasks: z.array(z.object({ task: z.string(), kind: z.string(), description: z.string(), usability })),
    }),
    caching: 'run',
    errors: [...modelRunErrors],
  },
  {
    operationId: 'getCircuit',
    path: '/api/v1/models/{model}/circuits/{task}',
    tag: 'Circuits',
    summary: "A task's circuit, patching results and role verdicts (the circuit JSON export)",
    description:
      'The task (description, citation, metric, usability, a few prompts), the circuit automatic discovery found (nodes, edges with the effect of ' +
      'corrupting each), the activation-patching sweeps (effects row-major over `axes`; 1 restores the clean answer) and path patching to the logits, ' +
      "and every head's verdict for the roles measured on this task.",
    pathParams: { model: modelParam, task: { schema: taskNameSchema, description: 'Task name, e.g. `ioi`.', example: EXAMPLE_TASK } },
    query: { run: runQuery },
    response: z
      .object({
        model: modelSchema,
        run: runSchema,
        task: z.string(),
        kind: z.string(),
        description: z.string(),
        citation: citation.nullable(),
        metric: z.string(),
        version: z.number().int(),
        usability,
        examples: z.array(z.object({ clean: z.string(), corrupted: z.string(), answer: z.string(), wrong: z.string() }).loose()),
        sweeps: z.array(sweep),
        pathPatching: z.array(z.object({ effects: z.array(z.array(z.number().nullable())) }).loose()),
        circuit: circuitSchema.nullable(),
        roles: z.array(roleVerdict),
      })
      .loose(),
    caching: 'run',
    errors: [
      ...modelRunErrors,
      { status: 400, when: 'The task name is malformed.', trigger: { path: { task: 'Bad!' } } },
      { status: 404, when: 'The run has no such task.', trigger: { path: { task: 'no_such_task' } } },
    ],
  },
  {
    operationId: 'listHeadRoles',
    path: '/api/v1/models/{model}/roles',
    tag: 'Circuits',
    summary: "Every head's circuit-role verdicts",
    description:
      'One verdict per (head, role) the run measured: `yes`, `no` or `untestable` (the task is unusable on this model — never a false `no`), ' +
      'with the score and threshold, the reason in words, the definition, citation and version, and the intervention that confirms it.',
    pathParams: { model: modelParam },
    query: { run: runQuery },
    response: z.object({ model: modelSchema, run: runSchema, roles: z.array(roleVerdict) }),
    caching: 'run',
    errors: [...modelRunErrors],
  },
  {
    operationId: 'listLiteratureClaims',
    path: '/api/v1/models/{model}/literature',
    tag: 'Circuits',
    summary: 'Heads named in published work, beside what this run measured',
    description:
      'Claims from lib/literature/heads.ts (e.g. Wang et al. 2022 on GPT-2 small: name movers 9.9, 9.6, 10.0) with the wiki’s verdict: ' +
      '`agrees`, `disagrees` or `untestable` (the run did not or could not measure it), and why. Empty for a model no listed paper names.',
    pathParams: { model: modelParam },
    query: { run: runQuery },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      claims: z.array(
        z
          .object({
            layer: z.number().int(),
            head: z.number().int(),
            role: z.string(),
            citation,
            where: z.string(),
            verdict: z.enum(['agrees', 'disagrees', 'untestable']),
            because: z.string(),
          })
          .loose(),
      ),
    }),
    caching: 'run',
    errors: [...modelRunErrors],
  },
];
