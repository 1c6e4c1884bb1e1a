/** Parameter docs and example values shared by the endpoint files. */
import { z } from 'zod';
import { LIVE_LIMITS, LIVE_REQUESTS_PER_MINUTE } from '@/lib/live/limits';
import { indexSchema, modelSlugSchema, runIdSchema } from '../params';
import type { ErrorDoc, ParamDoc, ServerStateDoc } from './types';

/** Example values used in the docs; the contract tests seed a database where they exist. */
export const EXAMPLE = {
  model: 'stories260K',
  /** A published run of EXAMPLE.model. */
  runId: 'r4xq9m2k7p0',
  /** A second (newer) published run of EXAMPLE.model. */
  otherRunId: 'r8ck3v5w1zd',
  layer: '1',
  head: '3',
  /** A neuron of EXAMPLE.layer with statistics and examples in EXAMPLE.runId. */
  neuron: '5',
} as const;

export const modelParam: ParamDoc = { schema: modelSlugSchema, description: 'Model name (TransformerLens style).', example: EXAMPLE.model };
export const runIdParam: ParamDoc = { schema: runIdSchema, description: 'Run id.', example: EXAMPLE.runId };
export const layerParam: ParamDoc = { schema: indexSchema, description: 'Layer, 0-based.', example: EXAMPLE.layer };
export const headParam: ParamDoc = { schema: indexSchema, description: 'Head, 0-based.', example: EXAMPLE.head };
export const runQuery: ParamDoc = {
  schema: runIdSchema,
  description: "Pin the response to this published run (default: the model's latest). Pinned responses never change.",
};

export function pageParams(defaultLimit: number, maxLimit: number): Record<string, ParamDoc> {
  return {
    limit: { schema: z.string().regex(/^[1-9]\d*$/), description: `Items per page, 1..${maxLimit} (default ${defaultLimit}).` },
    cursor: { schema: z.string(), description: "Opaque cursor from the previous page's `page.nextCursor` (or follow `page.next`)." },
  };
}

/** Errors every paginated endpoint documents. */
export const pageErrors: ErrorDoc[] = [
  { status: 400, when: '`limit` is not an integer in range.', trigger: { query: { limit: '0' } } },
  { status: 400, when: '`cursor` was not issued by this query.', trigger: { query: { cursor: 'not-a-cursor' } } },
];

export const unknownParamError: ErrorDoc = {
  status: 400,
  when: 'An unknown query parameter is given (typos are not ignored).',
  trigger: { query: { sotr: 'x' } },
};

export const unknownModelError: ErrorDoc = {
  status: 404,
  when: 'The model does not exist.',
  trigger: { path: { model: 'no-such-model' } },
};
export const badModelError: ErrorDoc = { status: 400, when: 'The model name is malformed.', trigger: { path: { model: '-bad!' } } };
export const unknownRunError: ErrorDoc = {
  status: 404,
  when: '`run` is not a published run of this model.',
  trigger: { query: { run: 'rnosuchrun00' } },
};

/** What every endpoint under /models/{model} that takes `?run=` can answer: unknown parameter, bad or unknown model, unknown run. */
export const modelRunErrors: ErrorDoc[] = [unknownParamError, badModelError, unknownModelError, unknownRunError];

/** Live runs a client may make per minute (one budget shared by every live endpoint and page, lib/api/live-budget.ts). */
export const LIVE_PER_MINUTE = LIVE_REQUESTS_PER_MINUTE;

export const liveRateLimitError: ErrorDoc = {
  status: 429,
  when: `More than ${LIVE_PER_MINUTE} live runs from this client in a minute (one budget for every live endpoint and the pages' live forms); \`Retry-After\` says when to retry.`,
  trigger: { repeat: LIVE_PER_MINUTE + 2 },
};

export function textTooLongError(trigger: ErrorDoc['trigger']): ErrorDoc {
  return {
    status: 413,
    when: `The text is longer than ${LIVE_LIMITS.maxChars} characters or ${LIVE_LIMITS.maxTokens} tokens (the message names the limit).`,
    trigger,
  };
}

/** Live inference runs one request at a time in a worker process: a full queue or a slow run. */
export const liveServerStates: ServerStateDoc[] = [
  {
    status: 503,
    when: `More than ${LIVE_LIMITS.maxBacklog} live requests are already waiting, or one waited too long to start; \`Retry-After\` says when to retry.`,
  },
  { status: 504, when: `The run took longer than ${LIVE_LIMITS.runTimeoutMs / 1000} s and was stopped.` },
];
