/** /api/v1/models/{model}/heads and /api/v1/models/{model}/heads/{layer}/{head} */
import { z } from 'zod';
import { formatSchema, sortDirSchema } from '../params';
import { headParam, layerParam, modelParam, modelRunErrors, pageErrors, pageParams, runQuery } from './common';
import { headRowSchema, metricSchema, modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

export const headEndpoints: EndpointDoc[] = [
  {
    operationId: 'listHeads',
    path: '/api/v1/models/{model}/heads',
    tag: 'Heads',
    summary: 'The head table: every head with every metric',
    description:
      'One row per head with one column per metric of the run. Sort by any metric, filter by layer or by a lower bound on the ' +
      'sort metric. `format=csv` gives `layer,head,name,<metric ids...>` for `pandas.read_csv` (the next page, if any, is in the `Link` header).',
    pathParams: { model: modelParam },
    query: {
      run: runQuery,
      sort: { schema: z.string(), description: 'A metric id of the run, or `layer`, `head`, `name`.', example: 'induction' },
      order: { schema: sortDirSchema, description: '`asc` or `desc` (default: desc for metrics, asc for positions). Synonym: `dir`.' },
      dir: { schema: sortDirSchema, description: 'Synonym of `order`.' },
      layer: { schema: z.string().regex(/^\d+$/), description: 'Only heads of this layer.' },
      min: { schema: z.string(), description: 'Only heads whose `sort` metric is ≥ min (needs `sort`).' },
      format: { schema: formatSchema, description: '`json` (default) or `csv`.' },
      ...pageParams(1000, 10_000),
    },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      metrics: z.array(metricSchema),
      heads: z.array(headRowSchema),
      page: pageSchema,
    }),
    alternates: [
      { contentType: 'text/csv', description: '`layer,head,name,<metric ids...>`, one line per head.', query: { format: 'csv' } },
    ],
    caching: 'run',
    paginated: true,
    errors: [
      ...pageErrors,
      ...modelRunErrors,
      { status: 400, when: '`sort` is not a metric of the run nor a position column.', trigger: { query: { sort: 'no_such_metric' } } },
      { status: 400, when: '`format` is not json or csv.', trigger: { query: { format: 'xml' } } },
      { status: 400, when: '`min` without a metric `sort`.', trigger: { query: { min: '0.5' } } },
      { status: 400, when: '`layer` is outside the model.', trigger: { query: { layer: '999' } } },
    ],
  },
  {
    operationId: 'getHead',
    path: '/api/v1/models/{model}/heads/{layer}/{head}',
    tag: 'Heads',
    summary: 'One head: metrics with ranks, and its attention pattern',
    description:
      "Every metric value of the head with its definition and rank among the model's heads, and the head's attention pattern on the run's example text.",
    pathParams: { model: modelParam, layer: layerParam, head: headParam },
    query: { run: runQuery },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      head: z.object({ layer: z.number().int(), head: z.number().int(), name: z.string(), kvHead: z.number().int(), page: z.string() }),
      metrics: z.array(
        metricSchema.extend({ value: z.number().nullable(), rank: z.number().int().nullable(), rankedHeads: z.number().int() }),
      ),
      pattern: z.object({ tokens: z.array(z.string()), pattern: z.array(z.array(z.number())) }).nullable(),
    }),
    caching: 'run',
    errors: [
      ...modelRunErrors,
      { status: 400, when: '`layer` or `head` is not a non-negative integer.', trigger: { path: { layer: 'abc' } } },
      { status: 404, when: 'The model has no such head.', trigger: { path: { layer: '999' } } },
    ],
  },
];
