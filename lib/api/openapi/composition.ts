/** /api/v1/models/{model}/composition */
import { z } from 'zod';
import { modelParam, modelRunErrors, pageErrors, pageParams, runQuery } from './common';
import { modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

const kindSchema = z.enum(['q', 'k', 'v']);
const headRef = z.object({ layer: z.number().int(), head: z.number().int() });

export const compositionEndpoints: EndpointDoc[] = [
  {
    operationId: 'listComposition',
    path: '/api/v1/models/{model}/composition',
    tag: 'Heads',
    summary: 'Q/K/V composition scores between every earlier and later head',
    description:
      'Composition (Elhage et al. 2021, TransformerLens `all_composition_scores`) of every head pair with srcLayer < dstLayer, from the ' +
      "run's weights (as processed by the run), with a seeded random-matrix baseline per kind and each score's distance from it in " +
      'baseline standard deviations. Paginated over (kind, src, dst); a page groups its scores by kind (the first page lists every kind ' +
      'asked for, with its baseline).',
    pathParams: { model: modelParam },
    query: {
      run: runQuery,
      kind: { schema: kindSchema, description: '`q`, `k` or `v` (default: all three).', example: 'k' },
      ...pageParams(10_000, 100_000),
    },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      kinds: z.array(
        z.object({
          kind: kindSchema,
          baseline: z.object({ mean: z.number(), std: z.number(), draws: z.number().int(), seed: z.number().int() }).nullable(),
          scores: z.array(z.object({ src: headRef, dst: headRef, value: z.number(), sigmaAboveBaseline: z.number().nullable() })),
        }),
      ),
      page: pageSchema,
    }),
    caching: 'run',
    paginated: true,
    errors: [...pageErrors, ...modelRunErrors, { status: 400, when: '`kind` is not q, k or v.', trigger: { query: { kind: 'x' } } }],
  },
];
