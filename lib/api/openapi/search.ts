/** /api/v1/search */
import { z } from 'zod';
import { MAX_SEARCH_TERMS, SEARCH_CONCURRENCY, SEARCH_PER_MINUTE } from '@/lib/search/query-guard';
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
      "The site's search box as an API. Terms: a model name; `model:<name>` to restrict; a head `L9H6` or `9.6`; a neuron `L3N123`; " +
      'a threshold `induction > 0.5` (>, >=, <, <=, =); words or "quoted phrases" (matched against token text in top examples). ' +
      'Results are links to pages. Terms that cannot be used are explained in `problems`. ' +
      `Cost is bounded: at most ${MAX_SEARCH_TERMS} terms, ${SEARCH_PER_MINUTE} searches a minute per client, ${SEARCH_CONCURRENCY} running at once on the server.`,
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
      { status: 400, when: '`q` holds a control character (NUL included).', trigger: { query: { q: 'a\u0000b' } } },
      { status: 400, when: `\`q\` has more than ${MAX_SEARCH_TERMS} terms.`, trigger: { query: { q: 'a b c d e f g h i j' } } },
      {
        status: 429,
        when: `More than ${SEARCH_PER_MINUTE} searches from this client in a minute (the /search page included); \`Retry-After\` says when to retry.`,
        trigger: { repeat: SEARCH_PER_MINUTE * 2 }, // tokens refill while the searches run
      },
    ],
    serverStates: [
      {
        status: 503,
        when: `The server is already running ${SEARCH_CONCURRENCY} searches and none finished within a few seconds, or the database stopped a statement over the time limit; \`Retry-After\` says when to retry.`,
      },
    ],
  },
];
