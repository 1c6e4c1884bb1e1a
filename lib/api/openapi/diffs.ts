/** /api/v1/diffs, /api/v1/diffs/{diffId}, …/progress, …/export/{file}, /api/v1/series/{seriesId} (issue 17: model diffs). */
import { z } from 'zod';
import { diffIdSchema } from '@/lib/db/diffs';
import { seriesIdSchema } from '@/lib/db/checkpoint-series';
import { DIFF_TABLES, diffFileSchema } from '@/lib/export/diff-tables';
import { unknownParamError } from './common';
import type { EndpointDoc, ParamDoc } from './types';

/** The published diff and series that contract-fixtures.ts seeds. */
export const DIFF_EXAMPLE = { diffId: 'd4xq9m2k7p0', seriesId: 's4xq9m2k7p0' } as const;

const diffIdParam: ParamDoc = { schema: diffIdSchema, description: 'Diff id.', example: DIFF_EXAMPLE.diffId };
const badDiff: EndpointDoc['errors'][number] = { status: 400, when: 'The diff id is malformed.', trigger: { path: { diffId: 'bad!id' } } };
const unknownDiff: EndpointDoc['errors'][number] = {
  status: 404,
  when: 'No published diff has this id.',
  trigger: { path: { diffId: 'dnosuchdiff' } },
};

const side = z.object({ runId: z.string(), modelSlug: z.string() });
const diffSchema = z.object({
  id: z.string(),
  a: side,
  b: side,
  corpus: z.string(),
  status: z.enum(['running', 'published', 'failed']),
  options: z.record(z.string(), z.unknown()),
  codeVersion: z.string(),
  seed: z.number().int(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  page: z.string(),
});
const progressSchema = z.looseObject({
  runId: z.string().describe('The diff id (the shape is the run progress one).'),
  status: z.enum(['running', 'published', 'failed']),
  jobs: z.looseObject({ total: z.number().int(), done: z.number().int() }),
  tokens: z.object({ done: z.number().int(), total: z.number().int() }).describe('Documents read / to read.'),
});

export const diffEndpoints: EndpointDoc[] = [
  {
    operationId: 'listDiffs',
    path: '/api/v1/diffs',
    tag: 'Diffs',
    summary: 'Published model diffs and checkpoint series',
    description: 'The newest 200 published diffs (what changed between the models of two published runs) and every checkpoint series.',
    response: z.object({
      diffs: z.array(diffSchema),
      series: z.array(
        z.object({ id: z.string(), name: z.string(), createdAt: z.string(), checkpoints: z.number().int(), page: z.string() }),
      ),
    }),
    caching: 'latest',
    errors: [unknownParamError],
  },
  {
    operationId: 'getDiff',
    path: '/api/v1/diffs/{diffId}',
    tag: 'Diffs',
    summary: 'One published model diff',
    description:
      "Both runs' ids, the corpus and options; `blackBox` (any two models: per-model loss, how the texts were aligned, the contexts with the " +
      'largest log-prob differences each way, greedy continuations) and `whiteBox` (same architecture, else null: weight, activation, direct-logit-' +
      'attribution and head-metric differences, activation patching) as lib/diff/types.ts defines them; every difference is B − A. Immutable.',
    pathParams: { diffId: diffIdParam },
    response: z.object({
      diff: diffSchema,
      blackBox: z.looseObject({ kind: z.literal('black-box') }).nullable(),
      whiteBox: z.looseObject({ kind: z.literal('white-box') }).nullable(),
      tables: z.array(z.object({ id: z.string(), title: z.string(), description: z.string(), rows: z.number().int(), csv: z.string() })),
    }),
    caching: 'run',
    errors: [unknownParamError, badDiff, unknownDiff],
  },
  {
    operationId: 'getDiffProgress',
    path: '/api/v1/diffs/{diffId}/progress',
    tag: 'Diffs',
    summary: 'How far a diff is: jobs, documents, ETA, workers',
    description: 'Any diff, running, failed or published: the run progress shape (`tokens` counts documents). Live data: never cached.',
    pathParams: { diffId: diffIdParam },
    response: progressSchema,
    caching: 'none',
    errors: [
      { ...unknownParamError, when: 'Any query parameter is given (this endpoint takes none).' },
      badDiff,
      { status: 404, when: 'No diff has this id.', trigger: { path: { diffId: 'dnosuchdiff' } } },
    ],
  },
  {
    operationId: 'exportDiffTable',
    path: '/api/v1/diffs/{diffId}/export/{file}',
    tag: 'Export',
    summary: 'One ranking of a published diff as CSV',
    description:
      '`{file}` is `<table>.csv`. Tables: ' +
      DIFF_TABLES.map((t) => `\`${t.id}\` (${t.description.replace(/\.$/, '')}${t.whiteBox ? '; white box only' : ''})`).join('; ') +
      '. pandas: `pd.read_csv(url)`.',
    pathParams: {
      diffId: diffIdParam,
      file: { schema: diffFileSchema, description: '`<table>.csv`', example: 'top-contexts.csv' },
    },
    response: z.string().describe('CSV with a header line.'),
    alternates: [{ contentType: 'text/csv', description: 'CSV with a header line.', query: {} }],
    caching: 'run',
    errors: [
      unknownParamError,
      badDiff,
      unknownDiff,
      { status: 400, when: '`file` is not `<table>.csv`.', trigger: { path: { file: 'weights.xlsx' } } },
      { status: 404, when: 'No diff table has this name.', trigger: { path: { file: 'no-such-table.csv' } } },
    ],
  },
  {
    operationId: 'getSeries',
    path: '/api/v1/series/{seriesId}',
    tag: 'Diffs',
    summary: 'A checkpoint series: losses and head metrics over training steps',
    description:
      "Per checkpoint: its step, published run, model, the diff from the previous checkpoint, its loss (from the diffs' black box) and the " +
      "weight change (relative Frobenius norm); `metrics` gives every head's value of every metric per checkpoint. Immutable.",
    pathParams: { seriesId: { schema: seriesIdSchema, description: 'Series id.', example: DIFF_EXAMPLE.seriesId } },
    response: z.object({
      series: z.object({ id: z.string(), name: z.string(), createdAt: z.string(), page: z.string() }),
      checkpoints: z.array(
        z.object({
          step: z.number().int(),
          runId: z.string(),
          modelSlug: z.string(),
          diffId: z.string().nullable(),
          loss: z.number().nullable(),
          weightChange: z.number().nullable(),
        }),
      ),
      metrics: z.record(z.string(), z.record(z.string(), z.array(z.number().nullable()))),
    }),
    caching: 'run',
    errors: [
      unknownParamError,
      { status: 400, when: 'The series id is malformed.', trigger: { path: { seriesId: 'bad!id' } } },
      { status: 404, when: 'No series has this id.', trigger: { path: { seriesId: 'snosuchseri' } } },
    ],
  },
];
