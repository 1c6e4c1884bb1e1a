/** /api/v1/metrics */
import { z } from 'zod';
import { pageErrors, pageParams, unknownParamError } from './common';
import { metricSchema, pageSchema } from './schemas';
import type { EndpointDoc } from './types';

export const metricEndpoints: EndpointDoc[] = [
  {
    operationId: 'listMetrics',
    path: '/api/v1/metrics',
    tag: 'Metrics',
    summary: 'The head metric registry',
    description:
      'Every head metric headwiki computes: id, title, one-line summary, exact definition, citation, range, version and what it needs.',
    query: pageParams(100, 1000),
    response: z.object({ metrics: z.array(metricSchema.extend({ needs: z.string() })), page: pageSchema }),
    caching: 'latest',
    paginated: true,
    errors: [...pageErrors, unknownParamError],
  },
];
