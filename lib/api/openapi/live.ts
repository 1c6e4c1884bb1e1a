/**
 * The live endpoints: a visitor's own text run through a model (lib/live). Never cached, rate-limited
 * per client (one shared bucket), bounded in length and time. Each takes GET (query string) and, where
 * the route exports one, POST with a JSON body.
 */
import { z } from 'zod';
import { LIVE_LIMITS } from '@/lib/live/limits';
import { PATTERN_SPEC_HELP } from '@/lib/metrics/heads/custom-pattern';
import {
  badModelError,
  EXAMPLE,
  layerParam,
  liveRateLimitError,
  liveServerStates,
  modelParam,
  textTooLongError,
  unknownModelError,
  unknownParamError,
} from './common';
import type { EndpointDoc, ErrorDoc } from './types';

const limitsSchema = z.object({ maxTokens: z.number().int(), maxChars: z.number().int() });
const tokenSchema = z
  .object({ piece: z.string().describe('Vocabulary piece as stored.'), text: z.string().describe('Piece as display text.') })
  .loose();
const LIMITS_TEXT = `Text is limited to ${LIVE_LIMITS.maxTokens} tokens and ${LIVE_LIMITS.maxChars} characters`;
const TOO_LONG = 'x'.repeat(LIVE_LIMITS.maxChars + 1);
const siteDoc = { schema: z.enum(['post', 'pre', 'mid']), description: '`post` (default, mlp.hook_post), or `pre` / `mid` (SoLU models).' };

const notJsonBody: ErrorDoc = { status: 400, when: 'The body is not JSON.', trigger: { body: '{"text": ' } };

// ---- attention -------------------------------------------------------------------------------------------

const attentionResponse = z.object({
  model: z.string(),
  layer: z.number().int(),
  tokenIds: z.array(z.number().int()),
  tokens: z.array(tokenSchema),
  heads: z.array(
    z.object({ head: z.number().int(), rows: z.array(z.array(z.number())).describe('Row q: attention from token q to tokens 0..q.') }),
  ),
  limits: limitsSchema,
});
const attentionDescription =
  `Runs the model on \`text\` (BOS prepended) and returns layer \`layer\`'s attention patterns (one head with \`head\`): causal rows, row q ` +
  `holding attention from token q to tokens 0..q. ${LIMITS_TEXT} (413 naming the limit); requests are rate-limited per client (429), queued ` +
  'one at a time (503 when the queue is full) and stopped after a time limit (504). Never cached.';

const attentionGet: EndpointDoc = {
  operationId: 'liveAttention',
  path: '/api/v1/models/{model}/attention',
  tag: 'Live',
  summary: 'Attention patterns on your own text (run live)',
  description: attentionDescription,
  pathParams: { model: modelParam },
  query: {
    text: { schema: z.string(), description: 'The text to run.', example: 'Once upon a time', required: true },
    layer: { schema: z.string().regex(/^\d+$/), description: 'Layer, 0-based.', example: EXAMPLE.layer, required: true },
    head: {
      schema: z.string().regex(/^\d+$/),
      description: 'One head, 0-based (default: every head of the layer).',
      example: EXAMPLE.head,
    },
  },
  response: attentionResponse,
  caching: 'none',
  errors: [
    unknownParamError,
    badModelError,
    unknownModelError,
    { status: 400, when: '`text` is missing.', trigger: { query: { text: null } } },
    { status: 400, when: '`layer` is not a non-negative integer.', trigger: { query: { layer: 'x' } } },
    { status: 404, when: 'The model has no such layer or head.', trigger: { query: { layer: '99' } } },
    textTooLongError({ query: { text: 'ab '.repeat(300) } }),
    liveRateLimitError,
  ],
  serverStates: liveServerStates,
};

const attentionPost: EndpointDoc = {
  ...attentionGet,
  operationId: 'liveAttentionPost',
  method: 'POST',
  summary: 'Attention patterns on your own text (run live), text in a JSON body',
  description: `${attentionDescription} The same as the GET, for texts that do not fit a URL.`,
  query: undefined,
  body: {
    schema: z.object({ text: z.string(), layer: z.number().int().min(0), head: z.number().int().min(0).optional() }).strict(),
    description: '`{ "text": ..., "layer": L, "head": H }` (head optional).',
    example: { text: 'Once upon a time', layer: Number(EXAMPLE.layer), head: Number(EXAMPLE.head) },
  },
  errors: [
    badModelError,
    unknownModelError,
    notJsonBody,
    { status: 400, when: '`text` or `layer` is missing or of the wrong type.', trigger: { body: { text: 'Once upon a time' } } },
    {
      status: 400,
      when: 'The body has a field other than text, layer and head.',
      trigger: { body: { text: 'Once', layer: 0, colour: 'red' } },
    },
    { status: 404, when: 'The model has no such layer or head.', trigger: { body: { text: 'Once', layer: 99 } } },
    textTooLongError({ body: { text: TOO_LONG, layer: 0 } }),
    liveRateLimitError,
  ],
};

// ---- custom detection pattern ------------------------------------------------------------------------------

const detect: EndpointDoc = {
  operationId: 'detectHeads',
  path: '/api/v1/models/{model}/detect',
  tag: 'Live',
  summary: 'Score every head against a custom attention pattern on your text (run live)',
  description:
    "TransformerLens `detect_head`: runs the model on `text` and scores every head's attention pattern against a detection pattern, " +
    `either a rule or an explicit lower-triangular matrix (${PATTERN_SPEC_HELP}). Heads come sorted by score, best first. ${LIMITS_TEXT}; ` +
    'rate-limited per client like every live endpoint. Never cached.',
  pathParams: { model: modelParam },
  query: {
    pattern: { schema: z.string(), description: `The detection pattern: ${PATTERN_SPEC_HELP}.`, example: 'previous', required: true },
    text: { schema: z.string().min(1), description: 'The text to run.', example: 'Once upon a time, there was a girl.', required: true },
    error_measure: {
      schema: z.enum(['mul', 'abs']),
      description: '`mul` (default: share of attention inside the pattern) or `abs` (1 − mean absolute difference).',
    },
    exclude_bos: { schema: z.enum(['true', 'false', '1', '0']), description: 'Ignore attention to BOS (default false).' },
    exclude_current_token: {
      schema: z.enum(['true', 'false', '1', '0']),
      description: 'Ignore attention to the token itself (default false).',
    },
  },
  response: z.object({
    model: z.string(),
    pattern: z.string(),
    options: z.object({ errorMeasure: z.enum(['mul', 'abs']), excludeBos: z.boolean(), excludeCurrentToken: z.boolean() }),
    tokens: z.array(z.string()).describe('Vocabulary pieces of the text, BOS first.'),
    heads: z
      .array(z.object({ layer: z.number().int(), head: z.number().int(), score: z.number() }))
      .describe('Every head of the model, best score first.'),
  }),
  caching: 'none',
  errors: [
    unknownParamError,
    badModelError,
    unknownModelError,
    { status: 400, when: '`pattern` is missing.', trigger: { query: { pattern: null } } },
    {
      status: 400,
      when: '`pattern` is neither a known rule nor a lower-triangular JSON matrix.',
      trigger: { query: { pattern: 'sideways' } },
    },
    { status: 400, when: '`text` is missing or blank.', trigger: { query: { text: ' ' } } },
    { status: 400, when: '`error_measure` is not mul or abs.', trigger: { query: { error_measure: 'squared' } } },
    { status: 400, when: '`exclude_bos` or `exclude_current_token` is not true/false.', trigger: { query: { exclude_bos: 'maybe' } } },
    { status: 400, when: "An explicit matrix does not match the text's number of tokens.", trigger: { query: { pattern: '[[1],[1,0]]' } } },
    textTooLongError({ query: { text: TOO_LONG } }),
    liveRateLimitError,
  ],
  serverStates: liveServerStates,
};

// ---- neuron probe ------------------------------------------------------------------------------------------

const probeResponse = z.object({
  model: z.string(),
  layer: z.number().int(),
  neuron: z.number().int(),
  site: z.enum(['post', 'pre', 'mid']),
  hook: z.string().describe('TransformerLens hook name, e.g. `blocks.1.mlp.hook_post`.'),
  tokenIds: z.array(z.number().int()),
  tokens: z.array(tokenSchema),
  acts: z.array(z.number()).describe("The neuron's activation on every token (BOS first)."),
  limits: limitsSchema,
});
const neuronParam = { schema: z.string().regex(/^\d+$/), description: 'Neuron, 0-based.', example: EXAMPLE.neuron };
const probeDescription =
  `Runs the model on \`text\` (BOS prepended) and returns the neuron's activation on every token. ${LIMITS_TEXT} (413); ` +
  'rate-limited per client like every live endpoint (429), queued one at a time (503) and stopped after a time limit (504). Never cached.';
const probePathErrors: ErrorDoc[] = [
  badModelError,
  unknownModelError,
  { status: 400, when: '`layer` or `neuron` is not a non-negative integer.', trigger: { path: { neuron: 'n5' } } },
  { status: 404, when: 'The model has no such neuron.', trigger: { path: { neuron: '99999' } } },
];

const probeGet: EndpointDoc = {
  operationId: 'probeNeuron',
  path: '/api/v1/models/{model}/neurons/{layer}/{neuron}/probe',
  tag: 'Live',
  summary: "A neuron's activations on your own text (run live)",
  description: probeDescription,
  pathParams: { model: modelParam, layer: layerParam, neuron: neuronParam },
  query: {
    text: { schema: z.string(), description: 'The text to run.', example: 'Once upon a time', required: true },
    site: siteDoc,
  },
  response: probeResponse,
  caching: 'none',
  errors: [
    unknownParamError,
    ...probePathErrors,
    { status: 400, when: '`text` is missing.', trigger: { query: { text: null } } },
    { status: 400, when: '`site` is not post, pre or mid.', trigger: { query: { site: 'out' } } },
    textTooLongError({ query: { text: TOO_LONG } }),
    liveRateLimitError,
  ],
  serverStates: liveServerStates,
};

const probePost: EndpointDoc = {
  ...probeGet,
  operationId: 'probeNeuronPost',
  method: 'POST',
  summary: "A neuron's activations on your own text (run live), text in a JSON body",
  description: `${probeDescription} The same as the GET, for texts that do not fit a URL.`,
  query: undefined,
  body: {
    schema: z.object({ text: z.string(), site: z.enum(['post', 'pre', 'mid']).optional() }).strict(),
    description: '`{ "text": ..., "site": "post" }` (site optional).',
    example: { text: 'Once upon a time' },
  },
  errors: [
    ...probePathErrors,
    notJsonBody,
    { status: 400, when: '`text` is missing or not a string.', trigger: { body: { site: 'post' } } },
    { status: 400, when: 'The body has a field other than text and site.', trigger: { body: { text: 'Once', colour: 'red' } } },
    textTooLongError({ body: { text: TOO_LONG } }),
    liveRateLimitError,
  ],
};

export const liveEndpoints: EndpointDoc[] = [attentionGet, attentionPost, detect, probeGet, probePost];
