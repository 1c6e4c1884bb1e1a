/** The paginated runs list shared by `/api/v1/runs` and `/api/v1/models/{model}/runs`. */
import { z } from 'zod';
import { listPublishedRuns, runListKey } from '@/lib/db/run-listing';
import { pageOf, parsePage, type PageInfo } from './cursor';
import { runJson, type RunJson } from './serialize';

const runKeySchema = z.object({ publishedAt: z.iso.datetime(), id: z.string().max(64) });

export async function runsPage(request: Request, modelSlug: string | undefined): Promise<{ runs: RunJson[]; page: PageInfo }> {
  const search = new URL(request.url).searchParams;
  const page = parsePage(search, { key: runKeySchema, scope: `runs:${modelSlug ?? '*'}`, defaultLimit: 50, maxLimit: 500 });
  const rows = await listPublishedRuns({ modelSlug, after: page.after, take: page.limit + 1 });
  const { items, page: info } = pageOf(request, rows, page, runListKey);
  return { runs: items.map(runJson), page: info };
}
