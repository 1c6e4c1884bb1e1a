/**
 * Runs: one analysis of one model. A run is created 'running', gets its results saved, then is
 * published in one transaction (or marked failed). Published runs are immutable: lib/db refuses
 * to change them and database triggers (migration `immutable_published_runs`) enforce it for any client.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client';
import { getPrisma } from './client';
import { lockRunStatus } from './run-lock';
import { int32, nonNegativeInt32, parseInput, runIdSchema, slugSchema } from './validate';

export type RunStatus = 'running' | 'published' | 'failed';

export interface RunInfo {
  id: string;
  modelSlug: string;
  corpusSlug: string | null;
  status: RunStatus;
  options: Record<string, unknown>;
  codeVersion: string;
  seed: number;
  metricVersions: Record<string, number>;
  error: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  durationMs: number | null;
}

/** What every run query loads so that it can be turned into a RunInfo. */
export const runInfoInclude = {
  model: { select: { slug: true } },
  corpus: { select: { slug: true } },
} satisfies Prisma.RunInclude;

type RunRow = Prisma.RunGetPayload<{ include: typeof runInfoInclude }>;

export function toRunInfo(r: RunRow): RunInfo {
  return {
    id: r.id,
    modelSlug: r.model.slug,
    corpusSlug: r.corpus?.slug ?? null,
    status: r.status,
    options: r.options as Record<string, unknown>,
    codeVersion: r.codeVersion,
    seed: r.seed,
    metricVersions: r.metricVersions as Record<string, number>,
    error: r.error,
    createdAt: r.createdAt,
    publishedAt: r.publishedAt,
    durationMs: r.durationMs,
  };
}

// Lower-case Crockford base32: no i, l, o, u, so ids read unambiguously in URLs and papers.
const RUN_ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** 'r' + 10 random base32 characters (50 bits). */
export function newRunId(): string {
  return newStableId('r');
}

/** A citable id: a one-letter kind ('r' run, 'd' diff, 's' series) + 10 random base32 characters (50 bits). */
export function newStableId(prefix: string): string {
  const bytes = randomBytes(10);
  let id = prefix;
  for (const b of bytes) id += RUN_ID_ALPHABET[b & 31];
  return id;
}

const createRunInput = z.object({
  modelSlug: slugSchema,
  corpusSlug: slugSchema.optional(),
  options: z.record(z.string(), z.unknown()),
  codeVersion: z.string().min(1, 'must not be empty'),
  seed: int32,
  metricVersions: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'metric ids are snake_case'), nonNegativeInt32),
});

export async function createRun(r: {
  modelSlug: string;
  corpusSlug?: string;
  options: Record<string, unknown>;
  codeVersion: string;
  seed: number;
  metricVersions: Record<string, number>;
}): Promise<RunInfo> {
  const input = parseInput(createRunInput, r, 'createRun');
  const prisma = getPrisma();
  const model = await prisma.model.findUnique({ where: { slug: input.modelSlug }, select: { id: true } });
  if (!model) throw new Error(`createRun: unknown model "${input.modelSlug}" (upsertModel it first)`);
  let corpusId: number | null = null;
  if (input.corpusSlug !== undefined) {
    const corpus = await prisma.corpus.findUnique({ where: { slug: input.corpusSlug }, select: { id: true } });
    if (!corpus) throw new Error(`createRun: unknown corpus "${input.corpusSlug}" (upsertCorpus it first)`);
    corpusId = corpus.id;
  }
  // 50 random bits make a collision very unlikely; retry anyway rather than fail a long job.
  for (let attempt = 0; ; attempt++) {
    try {
      const run = await prisma.run.create({
        data: {
          id: newRunId(),
          modelId: model.id,
          corpusId,
          status: 'running',
          options: asJsonObject(input.options, 'createRun: options'),
          codeVersion: input.codeVersion,
          seed: input.seed,
          metricVersions: input.metricVersions,
        },
        include: runInfoInclude,
      });
      return toRunInfo(run);
    } catch (e) {
      if (attempt < 3 && (e as { code?: string }).code === 'P2002') continue;
      throw e;
    }
  }
}

export async function getRun(runId: string): Promise<RunInfo | null> {
  // An id that cannot exist (e.g. from a URL) is simply not found.
  if (!runIdSchema.safeParse(runId).success) return null;
  const run = await getPrisma().run.findUnique({ where: { id: runId }, include: runInfoInclude });
  return run ? toRunInfo(run) : null;
}

/** The run only if it is published: what pages and the API use for a run pinned by id. */
export async function getPublishedRun(runId: string): Promise<RunInfo | null> {
  const run = await getRun(runId);
  return run?.status === 'published' ? run : null;
}

export async function getLatestPublishedRun(modelSlug: string): Promise<RunInfo | null> {
  const run = await getPrisma().run.findFirst({
    where: { model: { slug: modelSlug }, status: 'published' },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    include: runInfoInclude,
  });
  return run ? toRunInfo(run) : null;
}

/** Publishes a running run: from now on it is what the model's pages show, and it never changes. */
export async function publishRun(runId: string, durationMs: number): Promise<RunInfo> {
  parseInput(runIdSchema, runId, 'publishRun');
  if (!Number.isFinite(durationMs) || durationMs < 0 || durationMs > 2147483647) {
    throw new Error(`publishRun: durationMs must be a non-negative number of milliseconds, got ${durationMs}`);
  }
  return getPrisma().$transaction(async (tx) => {
    // FOR UPDATE: waits for any saveX still writing to this run (they hold FOR SHARE), then excludes new ones.
    const status = await lockRunStatus(tx, runId, 'FOR UPDATE');
    if (status === null) throw new Error(`publishRun: run ${runId} does not exist`);
    if (status !== 'running') throw new Error(`publishRun: run ${runId} is ${status}; only a running run can be published`);
    const run = await tx.run.update({
      where: { id: runId },
      data: { status: 'published', publishedAt: new Date(), durationMs: Math.round(durationMs) },
      include: runInfoInclude,
    });
    return toRunInfo(run);
  });
}

/**
 * Marks a run failed with the error that stopped it (again allowed on a failed run: latest error wins).
 * One UPDATE, not an interactive transaction: it waits for result writers (their FOR SHARE row locks) as long as they
 * take, and a worker whose event loop is busy with a computation cannot let it expire. An expired transaction here
 * once replaced a run's real error with Prisma's "expired transaction" (5 s default timeout): failing must not fail.
 */
export async function failRun(runId: string, error: string): Promise<void> {
  parseInput(runIdSchema, runId, 'failRun');
  if (typeof error !== 'string') throw new Error('failRun: error must be a string');
  const prisma = getPrisma();
  const updated = await prisma.$executeRaw`
    UPDATE "Run" SET status = 'failed'::"RunStatus", error = ${error} WHERE id = ${runId} AND status <> 'published'::"RunStatus"`;
  if (updated === 1) return;
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { status: true } });
  if (!run) throw new Error(`failRun: run ${runId} does not exist`);
  throw new Error(`failRun: run ${runId} is published and immutable`);
}

/** Options are stored as JSON: fail here, naming the field, on what JSON cannot hold. */
function asJsonObject(value: Record<string, unknown>, what: string): Prisma.InputJsonObject {
  try {
    return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonObject;
  } catch (e) {
    throw new Error(`${what} must be JSON-serialisable: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
