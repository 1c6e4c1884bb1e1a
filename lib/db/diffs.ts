/**
 * Model diffs (issue 17): what changed between the models of two published runs, over a corpus. A diff is
 * created 'running' with one DiffJob per queue job (lib/db/diff-jobs.ts), published with its sections in one
 * transaction, and immutable afterwards (triggers in the `model_diffs` migration); its id is citable forever.
 */
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client';
import { getPrisma } from './client';
import { newStableId, type RunStatus } from './runs';
import { int32, parseInput, runIdSchema, slugSchema } from './validate';

export const diffIdSchema = z.string().regex(/^d[0-9a-z]{10}$/, 'must be a diff id like "d0123456789"');

export interface DiffSide {
  runId: string;
  modelSlug: string;
}

export interface DiffInfo {
  id: string;
  a: DiffSide;
  b: DiffSide;
  corpusSlug: string;
  status: RunStatus;
  options: Record<string, unknown>;
  codeVersion: string;
  seed: number;
  error: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  durationMs: number | null;
}

const diffInclude = {
  runA: { select: { id: true, model: { select: { slug: true } } } },
  runB: { select: { id: true, model: { select: { slug: true } } } },
  corpus: { select: { slug: true } },
} satisfies Prisma.ModelDiffInclude;

type DiffRow = Prisma.ModelDiffGetPayload<{ include: typeof diffInclude }>;

function toDiffInfo(d: DiffRow): DiffInfo {
  return {
    id: d.id,
    a: { runId: d.runA.id, modelSlug: d.runA.model.slug },
    b: { runId: d.runB.id, modelSlug: d.runB.model.slug },
    corpusSlug: d.corpus.slug,
    status: d.status,
    options: d.options as Record<string, unknown>,
    codeVersion: d.codeVersion,
    seed: d.seed,
    error: d.error,
    createdAt: d.createdAt,
    publishedAt: d.publishedAt,
    durationMs: d.durationMs,
  };
}

const createDiffInput = z.object({
  runAId: runIdSchema,
  runBId: runIdSchema,
  corpusSlug: slugSchema,
  options: z.record(z.string(), z.unknown()),
  codeVersion: z.string().min(1),
  seed: int32,
});

/** A new running diff between two published runs (the database refuses unpublished ones). */
export async function createDiff(input: z.input<typeof createDiffInput>): Promise<DiffInfo> {
  const d = parseInput(createDiffInput, input, 'createDiff');
  const prisma = getPrisma();
  const corpus = await prisma.corpus.findUnique({ where: { slug: d.corpusSlug }, select: { id: true } });
  if (!corpus) throw new Error(`createDiff: unknown corpus "${d.corpusSlug}" (upsertCorpus it first)`);
  for (const runId of [d.runAId, d.runBId]) {
    const run = await prisma.run.findUnique({ where: { id: runId }, select: { status: true } });
    if (run?.status !== 'published')
      throw new Error(`createDiff: run ${runId} ${run ? `is ${run.status}` : 'does not exist'}; a diff compares published runs`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await prisma.modelDiff.create({
        data: {
          id: newStableId('d'),
          runAId: d.runAId,
          runBId: d.runBId,
          corpusId: corpus.id,
          options: JSON.parse(JSON.stringify(d.options)) as Prisma.InputJsonObject,
          codeVersion: d.codeVersion,
          seed: d.seed,
        },
        include: diffInclude,
      });
      return toDiffInfo(row);
    } catch (e) {
      if (attempt < 3 && (e as { code?: string }).code === 'P2002') continue;
      throw e;
    }
  }
}

export async function getDiff(diffId: string): Promise<DiffInfo | null> {
  // An id that cannot exist (from a URL) is simply not found.
  if (!diffIdSchema.safeParse(diffId).success) return null;
  const row = await getPrisma().modelDiff.findUnique({ where: { id: diffId }, include: diffInclude });
  return row ? toDiffInfo(row) : null;
}

/** Published diffs, newest first; `after` continues a listing (keyset on publishedAt, id). */
export async function listPublishedDiffs(opts: { take: number; after?: { publishedAt: Date; id: string } }): Promise<DiffInfo[]> {
  const after = opts.after;
  const rows = await getPrisma().modelDiff.findMany({
    where: {
      status: 'published',
      ...(after ? { OR: [{ publishedAt: { lt: after.publishedAt } }, { publishedAt: after.publishedAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    take: opts.take,
    include: diffInclude,
  });
  return rows.map(toDiffInfo);
}

/** The published diffs between two runs, newest first (what `headwiki diff` reuses instead of recomputing). */
export async function findPublishedDiffs(runAId: string, runBId: string): Promise<DiffInfo[]> {
  const rows = await getPrisma().modelDiff.findMany({
    where: { runAId, runBId, status: 'published' },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    include: diffInclude,
  });
  return rows.map(toDiffInfo);
}

/** The stored parts of a published diff (`black-box`, `white-box`), by name. */
export async function getDiffSections(diffId: string): Promise<Record<string, unknown>> {
  if (!diffIdSchema.safeParse(diffId).success) return {};
  const rows = await getPrisma().diffSection.findMany({ where: { diffId }, select: { section: true, data: true } });
  return Object.fromEntries(rows.map((r) => [r.section, r.data]));
}

/** Marks a diff failed (again allowed on a failed one: the latest error wins); a published diff is refused. */
export async function failDiff(diffId: string, error: string): Promise<void> {
  parseInput(diffIdSchema, diffId, 'failDiff');
  // One statement, as failRun: an interactive transaction's 5 s limit, on a busy database, replaced the real error.
  const prisma = getPrisma();
  const updated = await prisma.$executeRaw`
    UPDATE "ModelDiff" SET status = 'failed'::"RunStatus", error = ${error.slice(0, 4000)} WHERE id = ${diffId} AND status <> 'published'::"RunStatus"`;
  if (updated === 1) return;
  const diff = await prisma.modelDiff.findUnique({ where: { id: diffId }, select: { status: true } });
  if (!diff) throw new Error(`failDiff: diff ${diffId} does not exist`);
  throw new Error(`failDiff: diff ${diffId} is published and immutable`);
}

/** Inside a transaction: the diff's status with a row lock (FOR SHARE for result writers, FOR UPDATE for status changes). */
export async function lockDiffStatus(
  tx: Prisma.TransactionClient,
  diffId: string,
  lock: 'FOR SHARE' | 'FOR UPDATE',
): Promise<RunStatus | null> {
  const rows =
    lock === 'FOR UPDATE'
      ? await tx.$queryRaw<{ status: RunStatus }[]>`SELECT status::text AS status FROM "ModelDiff" WHERE id = ${diffId} FOR UPDATE`
      : await tx.$queryRaw<{ status: RunStatus }[]>`SELECT status::text AS status FROM "ModelDiff" WHERE id = ${diffId} FOR SHARE`;
  return rows[0]?.status ?? null;
}
