/** /api/v1/models/{model}/labels */
import { z } from 'zod';
import { modelParam, modelRunErrors, pageErrors, pageParams, runQuery } from './common';
import { modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

export const labelEndpoints: EndpointDoc[] = [
  {
    operationId: 'listHeadLabels',
    path: '/api/v1/models/{model}/labels',
    tag: 'Heads',
    summary: 'Head labels ("induction head") with their causal test',
    description:
      "A label is claimed when a head's metric passes the rule's threshold, then tested by ablating the head and measuring the " +
      "rule's effect: `confirmed`, `not_confirmed` or `untestable`. `rules` lists every rule (metric, thresholds, what the effect measures).",
    pathParams: { model: modelParam },
    query: { run: runQuery, ...pageParams(1000, 10_000) },
    response: z.object({
      model: modelSchema,
      run: runSchema,
      rules: z.array(
        z
          .object({
            label: z.string(),
            title: z.string(),
            metricId: z.string(),
            threshold: z.number(),
            effectThreshold: z.number(),
            effectUnit: z.string(),
            effect: z.string(),
          })
          .loose(),
      ),
      labels: z.array(
        z.object({
          layer: z.number().int(),
          head: z.number().int(),
          label: z.string(),
          metricId: z.string(),
          score: z.number(),
          threshold: z.number(),
          status: z.enum(['confirmed', 'not_confirmed', 'untestable']),
          effect: z.number().nullable(),
          effectThreshold: z.number(),
          effectUnit: z.string(),
          detail: z.string(),
          ablation: z.enum(['mean', 'zero']),
        }),
      ),
      page: pageSchema,
    }),
    caching: 'run',
    paginated: true,
    errors: [...pageErrors, ...modelRunErrors],
  },
];
