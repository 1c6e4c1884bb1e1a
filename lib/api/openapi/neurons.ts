/** /api/v1/models/{model}/neurons/{layer} and /api/v1/models/{model}/neurons/{layer}/{neuron} */
import { z } from 'zod';
import { NEURON_EXAMPLE_KINDS, NEURON_SORT_KEYS } from '@/lib/db/neurons';
import { sortDirSchema } from '../params';
import { EXAMPLE, layerParam, modelParam, modelRunErrors, pageErrors, pageParams, runQuery } from './common';
import { modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc, ErrorDoc } from './types';

const siteSchema = z.enum(['post', 'pre', 'mid']);
const siteQuery = { schema: siteSchema, description: '`post` (default: mlp.hook_post), `pre` or `mid` (SoLU models).' };
const tokenScore = z.object({ token: z.number().int(), piece: z.string(), score: z.number() });

const statsFields = {
  corpusSlug: z.string(),
  layer: z.number().int(),
  site: z.string(),
  neuron: z.number().int(),
  count: z.number().describe('Tokens seen.'),
  maxAct: z.number(),
  minAct: z.number(),
  mean: z.number(),
  variance: z.number(),
  skewness: z.number(),
  kurtosis: z.number(),
  density: z.number().describe('Share of tokens where the neuron is active (> 0).'),
  topTokenShare: z.number().describe('Share of the top examples whose max token is the most common one.'),
  histLo: z.number(),
  histHi: z.number(),
  quantileLevels: z.array(z.number()),
  quantiles: z.array(z.number()),
  minimalRate: z.number().nullable(),
  comparison: z
    .object({
      otherCorpus: z.string(),
      otherMax: z.number(),
      otherDensity: z.number(),
      topTokenOverlap: z.number(),
      warning: z.string().nullable(),
    })
    .nullable(),
  warning: z.string().nullable(),
};

const statsSchema = z.object({
  ...statsFields,
  histogram: z.array(z.number().int()).describe('[underflow, equal bins over [histLo, histHi]…, overflow].'),
  effects: z
    .object({
      logitTop: z.array(tokenScore),
      logitBottom: z.array(tokenScore),
      inputTop: z.array(tokenScore),
      gateTop: z.array(tokenScore).optional(),
    })
    .describe('Weight effects: output tokens promoted/suppressed (through W_out · W_U) and input tokens that excite it.'),
});

const exampleSchema = z.object({
  kind: z.enum(NEURON_EXAMPLE_KINDS),
  rank: z.number().int(),
  quantile: z.number().optional(),
  value: z.number(),
  contextId: z.number().int(),
  docIndex: z.number().int(),
  chunk: z.number().int(),
  position: z.number().int().describe("Max token's position in its context (0 = BOS)."),
  windowStart: z.number().int().describe('Context position of tokenIds[0].'),
  tokenIds: z.array(z.number().int()),
  tokens: z.array(z.string()),
  acts: z.array(z.number()).describe('Activation on every window token.'),
  minimal: z.object({ length: z.number().int().nullable(), value: z.number().nullable(), available: z.number().int() }).optional(),
});

const neuronRef = {
  layer: layerParam,
  neuron: { schema: z.string().regex(/^\d+$/), description: 'Neuron, 0-based.', example: EXAMPLE.neuron },
};
const noSiteData: ErrorDoc = {
  status: 404,
  when: 'The run has no neuron data for this layer at this site.',
  trigger: { query: { site: 'mid' } },
};

export const neuronEndpoints: EndpointDoc[] = [
  {
    operationId: 'listNeurons',
    path: '/api/v1/models/{model}/neurons/{layer}',
    tag: 'Neurons',
    summary: "A layer's MLP neurons with their statistics, sorted",
    description:
      "Every neuron of the layer on the run's corpus: moments, density, max, quantiles, minimal-example rate, dataset-comparison warning " +
      '(no histogram, weight effects or examples: see the neuron endpoint). Sort by any statistic; cursor-paginated.',
    pathParams: { model: modelParam, layer: layerParam },
    query: {
      run: runQuery,
      site: siteQuery,
      sort: { schema: z.enum(NEURON_SORT_KEYS), description: `One of ${NEURON_SORT_KEYS.join(', ')} (default neuron).`, example: 'maxAct' },
      dir: { schema: sortDirSchema, description: '`asc` or `desc` (default: asc for neuron, desc otherwise).' },
      ...pageParams(100, 1000),
    },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      layer: z.number().int(),
      site: siteSchema,
      corpus: z.string(),
      sort: z.enum(NEURON_SORT_KEYS),
      dir: z.enum(['asc', 'desc']),
      neurons: z.array(z.object({ ...statsFields, page: z.string().describe("The neuron's page.") })),
      page: pageSchema,
    }),
    caching: 'run',
    paginated: true,
    errors: [
      ...pageErrors,
      ...modelRunErrors,
      { status: 400, when: '`layer` is not a non-negative integer.', trigger: { path: { layer: 'x' } } },
      { status: 404, when: 'The model has no such layer.', trigger: { path: { layer: '999' } } },
      { status: 400, when: '`site` is not post, pre or mid.', trigger: { query: { site: 'out' } } },
      { status: 400, when: '`sort` is not a neuron statistic.', trigger: { query: { sort: 'colour' } } },
      { status: 400, when: '`dir` is not asc or desc.', trigger: { query: { dir: 'up' } } },
      noSiteData,
    ],
  },
  {
    operationId: 'getNeuron',
    path: '/api/v1/models/{model}/neurons/{layer}/{neuron}',
    tag: 'Neurons',
    summary: 'One MLP neuron: statistics, weight effects, baseline and examples',
    description:
      "The neuron's activation statistics on the run's corpus (histogram, quantiles, moments, density), weight effects, where it sits " +
      'among random directions of the same layer (z-scores), its examples (top, diverse, quantile, random; the activation on every ' +
      'window token) and the same neuron on comparison corpora.',
    pathParams: { model: modelParam, ...neuronRef },
    query: { run: runQuery, site: siteQuery },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      neuron: z.object({ layer: z.number().int(), neuron: z.number().int(), site: siteSchema, hook: z.string(), page: z.string() }),
      stats: statsSchema,
      baseline: z.object({
        directions: z.number().int().describe("Random unit directions of the layer's activation space, streamed like neurons."),
        comparison: z.array(
          z.object({
            name: z.string(),
            value: z.number(),
            mean: z.number(),
            std: z.number(),
            z: z.number().nullable(),
            percentile: z.number(),
          }),
        ),
      }),
      scan: z.object({
        corpus: z.string(),
        contexts: z.number().int(),
        tokens: z.number().int(),
        options: z.record(z.string(), z.unknown()),
      }),
      examples: z.array(exampleSchema),
      otherCorpora: z.array(z.object({ corpus: z.string(), stats: statsSchema.nullable(), top: z.array(exampleSchema) })),
    }),
    caching: 'run',
    errors: [
      ...modelRunErrors,
      { status: 400, when: '`layer` or `neuron` is not a non-negative integer.', trigger: { path: { neuron: 'n5' } } },
      { status: 404, when: 'The model has no such neuron.', trigger: { path: { neuron: '99999' } } },
      { status: 400, when: '`site` is not post, pre or mid.', trigger: { query: { site: 'out' } } },
      noSiteData,
      { status: 404, when: 'The run scanned the layer but kept no statistics for this neuron.', trigger: { path: { neuron: '100' } } },
    ],
  },
];
