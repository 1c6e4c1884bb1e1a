/**
 * Published runs, newest first, a page at a time (keyset on publishedAt desc, id desc, which the
 * index `Run(modelId, status, publishedAt DESC)` serves), for the runs lists and the API.
 */
import type { Prisma } from '../generated/prisma/client';
import { getPrisma } from './client';
import { runInfoInclude, toRunInfo, type RunInfo } from './runs';

/** Position after which the next page starts. */
export interface RunListKey {
  publishedAt: string;
  id: string;
}

export function runListKey(run: RunInfo): RunListKey {
  return { publishedAt: (run.publishedAt ?? run.createdAt).toISOString(), id: run.id };
}

/** Up to `take` published runs (of one model when `modelSlug` is given) after `after`, newest first. */
export async function listPublishedRuns(opts: { modelSlug?: string; after?: RunListKey; take: number }): Promise<RunInfo[]> {
  const where: Prisma.RunWhereInput = { status: 'published' };
  if (opts.modelSlug !== undefined) where.model = { slug: opts.modelSlug };
  if (opts.after) {
    const at = new Date(opts.after.publishedAt);
    where.OR = [{ publishedAt: { lt: at } }, { publishedAt: at, id: { lt: opts.after.id } }];
  }
  const rows = await getPrisma().run.findMany({
    where,
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    take: opts.take,
    include: runInfoInclude,
  });
  return rows.map(toRunInfo);
}
