/** /api/v1/search */
import { z } from 'zod';
import { pageErrors, pageParams, unknownParamError } from './common';
import { pageSchema } from './schemas';
import type { EndpointDoc } from './types';

export const searchEndpoints: EndpointDoc[] = [
  {
    operationId: 'search',
    path: '/api/v1/search',
    tag: 'Search',
    summary: 'Search models, heads, neurons, metric thresholds and example text',
    description:
      'The site\'s search box as an API. Terms: a model name; `model:<name>` to restrict; a head `L9H6` or `9.6`; a neuron `L3N123`; ' +
      'a threshold `induction > 0.5` (>, >=, <, <=, =); words or "quoted phrases" (matched against token text in top examples). ' +
      'Results are links to pages. Terms that cannot be used are explained in `problems`.',
    query: {
      q: { schema: z.string().min(1).max(200), description: 'The query (≤ 200 characters).', example: 'induction > 0.2', required: true },
      ...pageParams(100, 1000),
    },
    response: z.object({
      query: z.string(),
      parsed: z.object({
        model: z.string().nullable(),
        heads: z.array(z.object({ layer: z.number().int(), head: z.number().int() })),
        neurons: z.array(z.object({ layer: z.number().int(), neuron: z.number().int() })),
        thresholds: z.array(z.object({ metric: z.string(), op: z.enum(['>', '>=', '<', '<=', '=']), value: z.number() })),
        text: z.array(z.string()),
      }),
      problems: z.array(z.string()),
      results: z.array(
        z.object({
          kind: z.enum(['model', 'head', 'neuron', 'metric', 'example']),
          title: z.string(),
          description: z.string(),
          url: z.string(),
          value: z.number().optional(),
          match: z
            .object({ example: z.string(), text: z.string(), url: z.string() })
            .optional()
            .describe('Text searches: the first top example containing the phrase (which one, an excerpt, a link to it).'),
        }),
      ),
      page: pageSchema,
    }),
    caching: 'latest',
    paginated: true,
    errors: [
      ...pageErrors,
      unknownParamError,
      { status: 400, when: '`q` is missing or empty.', trigger: { query: { q: '' } } },
      { status: 400, when: '`q` is longer than 200 characters.', trigger: { query: { q: 'x'.repeat(201) } } },
    ],
  },
];
