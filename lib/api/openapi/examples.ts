/** /api/v1/models/{model}/heads/{layer}/{head}/examples and /api/v1/models/{model}/attention (live). */
import { z } from 'zod';
import { HEAD_EXAMPLE_KINDS } from '@/lib/db/head-examples';
import { LIVE_LIMITS } from '@/lib/live/limits';
import {
  badModelError,
  headParam,
  layerParam,
  modelParam,
  pageErrors,
  pageParams,
  runQuery,
  unknownModelError,
  unknownParamError,
  unknownRunError,
} from './common';
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
  attention: z.array(z.array(z.tuple([z.number().int(), z.number()]))).describe('Per window token: its best sources [context position, weight].'),
});

export const exampleEndpoints: EndpointDoc[] = [
  {
    operationId: 'listHeadExamples',
    path: '/api/v1/models/{model}/heads/{layer}/{head}/examples',
    tag: 'Heads',
    summary: 'A head\'s max-activating examples over the run\'s corpus',
    description:
      'Destination tokens where the head acts most, best first: `kind=top_norm` by ‖hook_result‖ (the head\'s output), ' +
      '`top_attention` by the largest attention to a non-BOS source, `quantile` random tokens at quantiles (0.5, 0.9, 0.99) of the norm. ' +
      'Each example holds its token window, the ranking value on every token and the head\'s sparse attention from every token. ' +
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
        .object({ activation: z.string(), tokens: z.number(), mean: z.number(), std: z.number(), min: z.number(), max: z.number(), histogram: histogramSchema, maxAttentionHistogram: histogramSchema })
        .loose(),
      examples: z.array(exampleSchema),
      page: pageSchema,
    }),
    caching: 'run',
    paginated: true,
    errors: [
      ...pageErrors,
      unknownParamError,
      badModelError,
      unknownModelError,
      unknownRunError,
      { status: 400, when: '`kind` is not one of the example kinds.', trigger: { query: { kind: 'best' } } },
      { status: 404, when: 'The model has no such head.', trigger: { path: { layer: '999' } } },
    ],
  },
  {
    operationId: 'liveAttention',
    path: '/api/v1/models/{model}/attention',
    tag: 'Live',
    summary: 'Attention patterns on your own text (run live)',
    description:
      `Runs the model on \`text\` (BOS prepended) and returns layer \`layer\`'s attention patterns (one head with \`head\`): causal rows, row q ` +
      `holding attention from token q to tokens 0..q. Also POST with a JSON body {text, layer, head}. Text is limited to ${LIVE_LIMITS.maxTokens} tokens ` +
      `and ${LIVE_LIMITS.maxChars} characters (413 naming the limit); requests are rate-limited per client (429), queued one at a time ` +
      '(503 when the queue is full) and stopped after a time limit (504). Never cached.',
    pathParams: { model: modelParam },
    query: {
      text: { schema: z.string(), description: 'The text to run.', example: 'Once upon a time', required: true },
      layer: { schema: z.string().regex(/^\d+$/), description: 'Layer, 0-based.', example: '1', required: true },
      head: { schema: z.string().regex(/^\d+$/), description: 'One head, 0-based (default: every head of the layer).', example: '3' },
    },
    response: z.object({
      model: z.string(),
      layer: z.number().int(),
      tokenIds: z.array(z.number().int()),
      tokens: z.array(z.object({ piece: z.string(), text: z.string() }).loose()),
      heads: z.array(z.object({ head: z.number().int(), rows: z.array(z.array(z.number())) })),
      limits: z.object({ maxTokens: z.number().int(), maxChars: z.number().int() }),
    }),
    caching: 'none',
    errors: [
      unknownParamError,
      badModelError,
      unknownModelError,
      { status: 400, when: '`layer` is not a non-negative integer.', trigger: { query: { layer: 'x' } } },
      { status: 404, when: 'The model has no such layer or head.', trigger: { query: { layer: '99' } } },
      { status: 413, when: `The text is longer than ${LIVE_LIMITS.maxTokens} tokens or ${LIVE_LIMITS.maxChars} characters.`, trigger: { query: { text: 'ab '.repeat(300) } } },
    ],
  },
];
