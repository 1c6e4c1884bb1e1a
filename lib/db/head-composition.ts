/** Q/K/V composition scores between heads of a run, and their random-matrix baseline. */
import { z } from 'zod';
import { Prisma } from '../generated/prisma/client';
import { getPrisma } from './client';
import { LONG_TRANSACTION, lockRunForWriting } from './run-lock';
import { nonNegativeInt32, parseInput, runIdSchema } from './validate';

export type CompositionKind = 'q' | 'k' | 'v';

export interface HeadCompositionValue {
  kind: CompositionKind;
  srcLayer: number;
  srcHead: number;
  dstLayer: number;
  dstHead: number;
  value: number;
}

export interface CompositionBaselineValue {
  kind: CompositionKind;
  mean: number;
  std: number;
  draws: number;
  seed: number;
}

const kindSchema = z.enum(['q', 'k', 'v']);
const finite = z.number({ error: 'must be a finite number' }).refine(Number.isFinite, 'must be a finite number');
const rowsSchema = z.array(
  z
    .object({
      kind: kindSchema,
      srcLayer: nonNegativeInt32,
      srcHead: nonNegativeInt32,
      dstLayer: nonNegativeInt32,
      dstHead: nonNegativeInt32,
      value: finite,
    })
    .refine((r) => r.srcLayer < r.dstLayer, 'composition needs srcLayer < dstLayer'),
);
const baselineSchema = z.array(z.object({ kind: kindSchema, mean: finite, std: finite, draws: nonNegativeInt32, seed: z.number().int() }));

const CHUNK = 10_000;

/** Saves (or overwrites, for a retried job) a running run's composition scores and baselines. */
export async function saveHeadComposition(
  runId: string,
  rows: HeadCompositionValue[],
  baselines: CompositionBaselineValue[],
): Promise<void> {
  parseInput(runIdSchema, runId, 'saveHeadComposition');
  const values = parseInput(rowsSchema, rows, 'saveHeadComposition');
  const base = parseInput(baselineSchema, baselines, 'saveHeadComposition');
  await getPrisma().$transaction(async (tx) => {
    const dims = await lockRunForWriting(tx, runId, 'saveHeadComposition');
    const outside = values.find((r) => r.dstLayer >= dims.nLayers || r.srcHead >= dims.nHeads || r.dstHead >= dims.nHeads);
    if (outside) {
      throw new Error(
        `saveHeadComposition: L${outside.srcLayer}H${outside.srcHead} → L${outside.dstLayer}H${outside.dstHead} is outside the model`,
      );
    }
    await tx.headComposition.deleteMany({ where: { runId } });
    await tx.compositionBaseline.deleteMany({ where: { runId } });
    for (let start = 0; start < values.length; start += CHUNK) {
      await tx.headComposition.createMany({ data: values.slice(start, start + CHUNK).map((r) => ({ runId, ...r })) });
    }
    await tx.compositionBaseline.createMany({ data: base.map((b) => ({ runId, ...b })) });
  }, LONG_TRANSACTION);
}

/** Every score of one kind (or all kinds), ordered by src then dst. */
export async function getHeadComposition(runId: string, kind?: CompositionKind): Promise<HeadCompositionValue[]> {
  const rows = await getPrisma().headComposition.findMany({
    where: { runId, ...(kind ? { kind } : {}) },
    orderBy: [{ kind: 'asc' }, { srcLayer: 'asc' }, { srcHead: 'asc' }, { dstLayer: 'asc' }, { dstHead: 'asc' }],
    select: { kind: true, srcLayer: true, srcHead: true, dstLayer: true, dstHead: true, value: true },
  });
  return rows as HeadCompositionValue[];
}

/** The `limit` highest scores of one kind, highest first (ties in model order). */
export async function getTopHeadComposition(runId: string, kind: CompositionKind, limit: number): Promise<HeadCompositionValue[]> {
  return getPrisma().$queryRaw<HeadCompositionValue[]>`
    SELECT "kind", "srcLayer", "srcHead", "dstLayer", "dstHead", "value" FROM "HeadComposition"
    WHERE "runId" = ${runId} AND "kind" = ${kind}
    ORDER BY "value" DESC, "srcLayer", "srcHead", "dstLayer", "dstHead"
    LIMIT ${limit}`;
}

/** Position of a score in (kind, src, dst) order: the keyset of a page. */
export type CompositionKey = Omit<HeadCompositionValue, 'value'>;

/**
 * One page of scores in (kind, srcLayer, srcHead, dstLayer, dstHead) order, strictly after `after`:
 * a range scan of the primary key, so a large model's scores are read a page at a time (the API paginates them).
 */
export async function listHeadComposition(
  runId: string,
  opts: { kind?: CompositionKind; after?: CompositionKey; limit: number },
): Promise<HeadCompositionValue[]> {
  const { kind, after, limit } = opts;
  // Conditions are left out (not made always-true) so that the planner sees a plain primary-key range.
  const byKind = kind ? Prisma.sql`AND "kind" = ${kind}` : Prisma.empty;
  const afterKey = after
    ? Prisma.sql`AND ("kind", "srcLayer", "srcHead", "dstLayer", "dstHead") > (${after.kind}::text, ${after.srcLayer}::int, ${after.srcHead}::int, ${after.dstLayer}::int, ${after.dstHead}::int)`
    : Prisma.empty;
  const rows = await getPrisma().$queryRaw<HeadCompositionValue[]>`
    SELECT "kind", "srcLayer", "srcHead", "dstLayer", "dstHead", "value" FROM "HeadComposition"
    WHERE "runId" = ${runId} ${byKind} ${afterKey}
    ORDER BY "kind", "srcLayer", "srcHead", "dstLayer", "dstHead"
    LIMIT ${limit}`;
  return rows;
}

/** Scores where the head is the source (downstream partners) or the destination (upstream partners). */
export async function getHeadCompositionFor(runId: string, layer: number, head: number): Promise<HeadCompositionValue[]> {
  const rows = await getPrisma().headComposition.findMany({
    where: {
      runId,
      OR: [
        { srcLayer: layer, srcHead: head },
        { dstLayer: layer, dstHead: head },
      ],
    },
    select: { kind: true, srcLayer: true, srcHead: true, dstLayer: true, dstHead: true, value: true },
  });
  return rows as HeadCompositionValue[];
}

export async function getCompositionBaselines(runId: string): Promise<CompositionBaselineValue[]> {
  const rows = await getPrisma().compositionBaseline.findMany({
    where: { runId },
    orderBy: { kind: 'asc' },
    select: { kind: true, mean: true, std: true, draws: true, seed: true },
  });
  return rows as CompositionBaselineValue[];
}
