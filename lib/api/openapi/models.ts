/** /api/v1/models and /api/v1/models/{model}/runs */
import { z } from 'zod';
import { badModelError, modelParam, pageErrors, pageParams, unknownModelError, unknownParamError } from './common';
import { modelSchema, pageSchema, runSchema } from './schemas';
import type { EndpointDoc } from './types';

export const modelEndpoints: EndpointDoc[] = [
  {
    operationId: 'listModels',
    path: '/api/v1/models',
    tag: 'Models',
    summary: 'List models',
    description: 'Every model with its dimensions and its latest published run (null before the first run is published), by name.',
    query: pageParams(100, 1000),
    response: z.object({ models: z.array(modelSchema.extend({ latestRun: runSchema.nullable() })), page: pageSchema }),
    caching: 'latest',
    paginated: true,
    errors: [...pageErrors, unknownParamError],
  },
  {
    operationId: 'listModelRuns',
    path: '/api/v1/models/{model}/runs',
    tag: 'Runs',
    summary: "List a model's published runs",
    description: 'Published runs of one model, newest first. Each run id pins pages and responses forever.',
    pathParams: { model: modelParam },
    query: pageParams(50, 500),
    response: z.object({ model: modelSchema, runs: z.array(runSchema), page: pageSchema }),
    caching: 'latest',
    paginated: true,
    errors: [...pageErrors, unknownParamError, badModelError, unknownModelError],
  },
];
