/** /api/v1/runs, /api/v1/runs/{runId}, /api/v1/runs/{runId}/progress, /api/v1/runs/{runId}/export/{file}, /api/v1/compare */
import { z } from 'zod';
import { EXPORT_TABLES } from '@/lib/export/tables';
import { modelSlugSchema, runIdSchema } from '../params';
import { EXAMPLE, pageErrors, pageParams, runIdParam, unknownParamError } from './common';
import { modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

const unknownRun: EndpointDoc['errors'][number] = {
  status: 404,
  when: 'No published run has this id.',
  trigger: { path: { runId: 'rnosuchrun00' } },
};
const badRun: EndpointDoc['errors'][number] = { status: 400, when: 'The run id is malformed.', trigger: { path: { runId: 'bad!id' } } };

const metricDiff = z.object({ a: z.number().nullable(), b: z.number().nullable(), diff: z.number().nullable() });

export const runEndpoints: EndpointDoc[] = [
  {
    operationId: 'listRuns',
    path: '/api/v1/runs',
    tag: 'Runs',
    summary: 'List published runs',
    description: 'Published runs of every model (or of `model`), newest first.',
    query: { model: { schema: modelSlugSchema, description: 'Only runs of this model.' }, ...pageParams(50, 500) },
    response: z.object({ runs: z.array(runSchema), page: pageSchema }),
    caching: 'latest',
    paginated: true,
    errors: [
      ...pageErrors,
      unknownParamError,
      { status: 400, when: '`model` is malformed.', trigger: { query: { model: '-bad!' } } },
      { status: 404, when: '`model` does not exist.', trigger: { query: { model: 'no-such-model' } } },
    ],
  },
  {
    operationId: 'getRun',
    path: '/api/v1/runs/{runId}',
    tag: 'Runs',
    summary: 'One published run: what it computed and how',
    description:
      "The run's model, corpus, weight-processing options, metric versions, code version, seed, created/published times and duration; " +
      'rows per table, each with its bulk-export URLs. A published run never changes, so this response is cached for a year.',
    pathParams: { runId: runIdParam },
    response: z.object({
      run: runSchema,
      model: modelSchema,
      tables: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          description: z.string(),
          rows: z.number().int(),
          csv: z.string(),
          jsonl: z.string(),
        }),
      ),
      links: z.object({ page: z.string(), pinnedModelPage: z.string(), latestModelPage: z.string() }),
    }),
    caching: 'run',
    errors: [unknownParamError, badRun, unknownRun],
  },
  {
    operationId: 'getRunProgress',
    path: '/api/v1/runs/{runId}/progress',
    tag: 'Runs',
    summary: 'How far a run is: jobs, tokens, rate, ETA, workers',
    description:
      "Any run, running, failed or published: its jobs on the work queue (done/total, each job's status, attempts and last error), tokens " +
      'read, rate, estimated time left and the workers on it. A run computed in one process has no jobs (`queued: false`). Live data: never cached.',
    pathParams: { runId: runIdParam },
    response: z.object({
      runId: z.string(),
      modelSlug: z.string(),
      status: z.enum(['running', 'published', 'failed']),
      error: z.string().nullable(),
      queued: z.boolean().describe('False for runs computed in one process (no jobs).'),
      jobs: z.object({
        total: z.number().int(),
        done: z.number().int(),
        active: z.number().int(),
        queued: z.number().int(),
        failed: z.number().int(),
        list: z.array(
          z.object({
            jobKey: z.string(),
            kind: z.string(),
            status: z.enum(['queued', 'active', 'done', 'failed']),
            attempts: z.number().int(),
            workerId: z.string().nullable(),
            tokensDone: z.number().int(),
            tokensTotal: z.number().int(),
            error: z.string().nullable(),
          }),
        ),
      }),
      tokens: z.object({ done: z.number().int(), total: z.number().int() }),
      elapsedSeconds: z.number(),
      tokensPerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
      workers: z.array(
        z.object({
          id: z.string(),
          host: z.string(),
          pid: z.number().int(),
          device: z.string(),
          status: z.string(),
          runId: z.string().nullable(),
          jobKey: z.string().nullable(),
          jobsDone: z.number().int(),
          silentSeconds: z.number(),
        }),
      ),
      stages: z
        .array(
          z.object({
            stage: z
              .string()
              .describe('`head metrics`, a corpus scan (`neurons`, `neurons@<comparison corpus>`), `finalize (per layer)`, `publish`.'),
            jobs: z.object({ total: z.number().int(), done: z.number().int(), active: z.number().int() }),
            tokens: z.object({ done: z.number().int(), total: z.number().int() }),
            seconds: z.number().describe('Wall-clock seconds from the stage’s first job start to its last finish (or now).'),
            tokensPerSecond: z.number().nullable().describe('Tokens read per second by all workers together over that time.'),
            etaSeconds: z.number().nullable().describe('Seconds left in the stage (0 when done; null when unknown).'),
          }),
        )
        .describe('Progress per stage, with rates and time left.'),
    }),
    caching: 'none',
    errors: [
      { ...unknownParamError, when: 'Any query parameter is given (this endpoint takes none).' },
      badRun,
      { status: 404, when: 'No run (running, failed or published) has this id.', trigger: { path: { runId: 'rnosuchrun00' } } },
    ],
  },
  {
    operationId: 'exportRunTable',
    path: '/api/v1/runs/{runId}/export/{file}',
    tag: 'Export',
    summary: 'Bulk export of one table of a run (CSV or JSON Lines, streamed)',
    description:
      '`{file}` is `<table>.csv` or `<table>.jsonl`. Tables: ' +
      EXPORT_TABLES.map((t) => `\`${t.id}\` (${t.description.replace(/\.$/, '')})`).join('; ') +
      '. `GET /api/v1/runs/{runId}` lists them with their row counts. Streamed from the database one page at a time, so any size ' +
      'works; nested values (token lists, activations) are JSON inside a CSV field. pandas: `pd.read_csv(url)` or `pd.read_json(url, lines=True)`.',
    pathParams: {
      runId: runIdParam,
      file: {
        schema: z.string().regex(/^[a-z][a-z0-9-]*\.(csv|jsonl)$/),
        description: '`<table>.<csv|jsonl>`',
        example: 'head-metrics.csv',
      },
    },
    response: z.string().describe('CSV (header line first) or JSON Lines.'),
    alternates: [
      { contentType: 'text/csv', description: 'CSV with a header line (`.csv`).', query: {} },
      { contentType: 'application/jsonl', description: 'One JSON object per line (`.jsonl`).', query: {} },
    ],
    caching: 'run',
    errors: [
      unknownParamError,
      badRun,
      unknownRun,
      {
        status: 400,
        when: 'The file name is not `<table>.<format>`, or the format is not csv/jsonl.',
        trigger: { path: { file: 'head-metrics.xlsx' } },
      },
      { status: 404, when: 'No export table has this name.', trigger: { path: { file: 'no-such-table.csv' } } },
      { status: 429, when: 'Too many exports from this client in a minute (see `Retry-After`).', trigger: { repeat: 70 } },
    ],
  },
  {
    operationId: 'compareRuns',
    path: '/api/v1/compare',
    tag: 'Runs',
    summary: 'Per-head metric differences between two runs',
    description:
      'Two published runs of one model, or of two models with the same number of layers and heads. For every head and every metric both ' +
      'runs have: `a`, `b` and `diff = b − a`; per metric: mean and max |diff|, the head with the largest change, and the correlation.',
    query: {
      a: { schema: runIdSchema, description: 'First run id.', example: EXAMPLE.runId, required: true },
      b: { schema: runIdSchema, description: 'Second run id.', example: EXAMPLE.otherRunId, required: true },
      ...pageParams(1000, 10_000),
    },
    response: z.object({
      a: z.object({ run: runSchema, model: modelSchema }),
      b: z.object({ run: runSchema, model: modelSchema }),
      metrics: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          versionA: z.number().int(),
          versionB: z.number().int(),
          heads: z.number().int(),
          meanAbsDiff: z.number().nullable(),
          maxAbsDiff: z.number().nullable(),
          maxAbsDiffHead: z.string().nullable(),
          correlation: z.number().nullable(),
        }),
      ),
      onlyInA: z.array(z.string()),
      onlyInB: z.array(z.string()),
      heads: z.array(
        z.object({ layer: z.number().int(), head: z.number().int(), name: z.string(), metrics: z.record(z.string(), metricDiff) }),
      ),
      page: pageSchema,
    }),
    caching: 'run',
    paginated: true,
    errors: [
      ...pageErrors,
      unknownParamError,
      { status: 400, when: '`a` or `b` is missing.', trigger: { query: { b: '' } } },
      { status: 400, when: '`a` or `b` is malformed.', trigger: { query: { a: 'bad!id' } } },
      { status: 404, when: '`a` or `b` is not a published run.', trigger: { query: { b: 'rnosuchrun00' } } },
      { status: 400, when: "The two runs' models have different numbers of layers or heads.", trigger: { query: { b: 'rothershape0' } } },
    ],
  },
];
