/**
 * Checkpoint series (issue 17): a model given as checkpoints over training, each with its own published run
 * (the run pipeline), and a published diff between each checkpoint and the one before it (its losses, what
 * changed). Written once, in one transaction, when all of them are published; immutable (the `model_diffs`
 * migration). Id: 's' + 10 base32 characters.
 */
import { z } from 'zod';
import { getPrisma } from './client';
import { newStableId, type RunInfo, runInfoInclude, toRunInfo } from './runs';
import { int32, parseInput, runIdSchema } from './validate';

export const seriesIdSchema = z.string().regex(/^s[0-9a-z]{10}$/, 'must be a series id like "s0123456789"');

export interface SeriesCheckpointInfo {
  position: number;
  step: number;
  run: RunInfo;
  /** Diff from the previous checkpoint's run (null for the first). */
  diffId: string | null;
}

export interface SeriesInfo {
  id: string;
  name: string;
  createdAt: Date;
  checkpoints: SeriesCheckpointInfo[];
}

const createSeriesInput = z.object({
  name: z.string().min(1).max(200),
  checkpoints: z
    .array(z.object({ step: int32, runId: runIdSchema, diffId: z.string().nullable() }))
    .min(1)
    .max(1000),
});

export async function createSeries(input: z.input<typeof createSeriesInput>): Promise<SeriesInfo> {
  const s = parseInput(createSeriesInput, input, 'createSeries');
  for (let i = 1; i < s.checkpoints.length; i++) {
    if (!(s.checkpoints[i].step > s.checkpoints[i - 1].step)) throw new Error('createSeries: steps must increase');
  }
  const id = newStableId('s');
  await getPrisma().$transaction(async (tx) => {
    const runs = await tx.run.findMany({ where: { id: { in: s.checkpoints.map((c) => c.runId) } }, select: { id: true, status: true } });
    const diffIds = s.checkpoints.flatMap((c) => (c.diffId ? [c.diffId] : []));
    const diffs = await tx.modelDiff.findMany({ where: { id: { in: diffIds } }, select: { id: true, status: true } });
    for (const c of s.checkpoints) {
      if (runs.find((r) => r.id === c.runId)?.status !== 'published') throw new Error(`createSeries: run ${c.runId} is not published`);
      if (c.diffId && diffs.find((d) => d.id === c.diffId)?.status !== 'published')
        throw new Error(`createSeries: diff ${c.diffId} is not published`);
    }
    await tx.checkpointSeries.create({ data: { id, name: s.name } });
    await tx.seriesCheckpoint.createMany({
      data: s.checkpoints.map((c, position) => ({ seriesId: id, position, step: c.step, runId: c.runId, diffId: c.diffId })),
    });
  });
  return (await getSeries(id))!;
}

export async function getSeries(seriesId: string): Promise<SeriesInfo | null> {
  if (!seriesIdSchema.safeParse(seriesId).success) return null;
  const row = await getPrisma().checkpointSeries.findUnique({
    where: { id: seriesId },
    include: { checkpoints: { orderBy: { position: 'asc' }, include: { run: { include: runInfoInclude } } } },
  });
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    checkpoints: row.checkpoints.map((c) => ({ position: c.position, step: c.step, run: toRunInfo(c.run), diffId: c.diffId })),
  };
}

/** Every series, newest first (a short list: series are written by hand, one per trained model). */
export async function listSeries(take = 100): Promise<Array<{ id: string; name: string; createdAt: Date; checkpoints: number }>> {
  const rows = await getPrisma().checkpointSeries.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    include: { _count: { select: { checkpoints: true } } },
  });
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.createdAt, checkpoints: r._count.checkpoints }));
}
