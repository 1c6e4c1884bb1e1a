/** /api/v1/models/{model}/heads/{layer}/{head}/examples */
import { z } from 'zod';
import { HEAD_EXAMPLE_KINDS } from '@/lib/db/head-examples';
import { headParam, layerParam, modelParam, modelRunErrors, pageErrors, pageParams, runQuery } from './common';
import { modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

const histogramSchema = z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).loose();

const exampleSchema = z.object({
  kind: z.enum(HEAD_EXAMPLE_KINDS),
  rank: z.number().int(),
  value: z.number(),
  quantile: z.number().nullable(),
  docIndex: z.number().int(),
  contextId: z.number().int(),
  position: z.number().int().describe('Destination token: position in its context (0 = BOS).'),
  destIndex: z.number().int().describe('Index of the destination token in `tokens`.'),
  windowStart: z.number().int(),
  tokens: z.array(z.object({ id: z.number().int(), piece: z.string(), text: z.string() })),
  values: z.array(z.number()).describe('The ranking value on every window token.'),
  attention: z
    .array(z.array(z.tuple([z.number().int(), z.number()])))
    .describe('Per window token: its best sources [context position, weight].'),
});

export const exampleEndpoints: EndpointDoc[] = [
  {
    operationId: 'listHeadExamples',
    path: '/api/v1/models/{model}/heads/{layer}/{head}/examples',
    tag: 'Heads',
    summary: "A head's max-activating examples over the run's corpus",
    description:
      "Destination tokens where the head acts most, best first: `kind=top_norm` by ‖hook_result‖ (the head's output), " +
      '`top_attention` by the largest attention to a non-BOS source, `quantile` random tokens at quantiles (0.5, 0.9, 0.99) of the norm. ' +
      "Each example holds its token window, the ranking value on every token and the head's sparse attention from every token. " +
      '`stats` is the distribution of the norm (moments, quantiles, histogram) and of the max non-BOS attention.',
    pathParams: { model: modelParam, layer: layerParam, head: headParam },
    query: {
      run: runQuery,
      kind: { schema: z.enum(HEAD_EXAMPLE_KINDS), description: '`top_norm` (default), `top_attention` or `quantile`.' },
      ...pageParams(10, 100),
    },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      head: z.object({ layer: z.number().int(), head: z.number().int(), page: z.string() }),
      kind: z.enum(HEAD_EXAMPLE_KINDS),
      stats: z
        .object({
          activation: z.string(),
          tokens: z.number(),
          mean: z.number(),
          std: z.number(),
          min: z.number(),
          max: z.number(),
          histogram: histogramSchema,
          maxAttentionHistogram: histogramSchema,
        })
        .loose(),
      examples: z.array(exampleSchema),
      page: pageSchema,
    }),
    caching: 'run',
    paginated: true,
    errors: [
      ...pageErrors,
      ...modelRunErrors,
      { status: 400, when: '`kind` is not one of the example kinds.', trigger: { query: { kind: 'best' } } },
      { status: 404, when: 'The model has no such head.', trigger: { path: { layer: '999' } } },
    ],
  },
];
