/**
 * zod schemas of the JSON bodies the API returns. They document the API (converted to JSON Schema
 * for openapi.json) and the contract tests check real responses against that document.
 */
import { z } from 'zod';
import { pageInfoSchema } from '../cursor';

export const errorSchema = z
  .object({
    error: z.looseObject({
      message: z.string().describe('What was wrong, naming the parameter.'),
      status: z.number().int(),
    }),
  })
  .describe('Every error: a 4xx (bad input) or 5xx with a JSON body.');

export const runSchema = z.object({
  id: z.string().describe('Stable run id; pins every page and response (`?run=`, `/runs/{runId}/...`).'),
  model: z.string(),
  corpus: z.string().nullable(),
  status: z.enum(['running', 'published', 'failed']),
  createdAt: z.string().describe('ISO 8601'),
  publishedAt: z.string().nullable().describe('ISO 8601'),
  durationMs: z.number().int().nullable().describe('Wall time from start to publication.'),
  codeVersion: z.string(),
  seed: z.number().int(),
  options: z.record(z.string(), z.unknown()).describe('Weight processing and sampling options.'),
  metricVersions: z.record(z.string(), z.number().int()),
});

export const modelSchema = z.object({
  slug: z.string(),
  name: z.string(),
  architecture: z.string(),
  nLayers: z.number().int(),
  nHeads: z.number().int(),
  nKvHeads: z.number().int(),
  dModel: z.number().int(),
  dHead: z.number().int(),
  dMlp: z.number().int(),
  dVocab: z.number().int(),
  nCtx: z.number().int(),
  nParams: z.number().int(),
  source: z.string(),
  license: z.string(),
  description: z.string(),
});

export const metricSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  definition: z.string(),
  citation: z.object({ text: z.string(), url: z.string() }),
  range: z.array(z.number().nullable()).describe('[min, max] the metric can take.'),
  version: z.number().int(),
});

export const pageSchema = pageInfoSchema;

/** `{ layer, head, name, <metric id>: value | null, ... }` */
export const headRowSchema = z
  .object({ layer: z.number().int(), head: z.number().int(), name: z.string() })
  .catchall(z.number().nullable())
  .describe('One head; one property per metric id (null: no value).');
