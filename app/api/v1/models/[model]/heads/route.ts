import { z } from 'zod';
import { PAGE_PARAMS, pageOfSorted, parsePage } from '@/lib/api/cursor';
import { ApiError, withApiErrors } from '@/lib/api/errors';
import { loadHeadTable } from '@/lib/api/head-data';
import { filterHeadRows, flattenHeadRow, headRowsToCsv, sortHeadRows } from '@/lib/api/head-rows';
import { modelSlugSchema, parseHeadsQuery, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendCsv, sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/**
 * GET /api/v1/models/{model}/heads[?run=&sort=<metric>&order=asc|desc&layer=N&min=x&format=csv&limit=&cursor=]
 * → { model, run, metrics: [...], heads: [{ layer, head, name, <metricId>: value, ... }] }
 * or, with format=csv, `layer,head,name,<metric ids...>` (pandas.read_csv reads it as is).
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const { model: modelParam } = await ctx.params;
  const slug = parseParam(modelSlugSchema, modelParam, 'model');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['format', 'sort', 'order', 'dir', 'layer', 'min', 'run', ...PAGE_PARAMS]);
  // The run must be known before `sort` can be checked against its metrics, so `run` is read first.
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const { model, run, pinned } = await requireModelRun(slug, runId);
  const { metrics, rows } = await loadHeadTable(model, run);
  const metricIds = metrics.map((m) => m.id);
  const { query } = parseHeadsQuery(search, metricIds, 'strict');
  if (query.layer !== undefined && query.layer >= model.nLayers) {
    throw new ApiError(400, `layer: ${model.slug} has layers 0..${model.nLayers - 1} (got ${query.layer})`);
  }

  let heads = filterHeadRows(rows, {
    layer: query.layer,
    ...(query.min !== undefined ? { minMetric: query.sort, min: query.min } : {}),
  });
  if (query.sort) heads = sortHeadRows(heads, query.sort, query.dir);
  // Pages of heads in the requested order; the default limit fits every head of most models in one page.
  const pageReq = parsePage(search, {
    key: z.object({ layer: z.number().int(), head: z.number().int() }),
    scope: `heads:${model.slug}:${query.sort ?? ''}:${query.dir}:${query.layer ?? ''}:${query.min ?? ''}`,
    defaultLimit: 1000,
    maxLimit: 10_000,
  });
  const { items, page } = pageOfSorted(request, heads, pageReq, (r) => ({ layer: r.layer, head: r.head }));
  heads = items;

  if (query.format === 'csv') {
    return sendCsv(request, headRowsToCsv(heads, metricIds), {
      pinned,
      filename: `${model.slug}-${run.id}-heads.csv`,
      ...(page.next ? { headers: { Link: `<${page.next}>; rel="next"` } } : {}),
    });
  }
  return sendJson(
    request,
    {
      model: modelJson(model),
      run: runJson(run),
      metrics: metrics.map(({ id, title, summary, definition, citation, range, version }) => ({
        id,
        title,
        summary,
        definition,
        citation,
        range,
        version,
      })),
      heads: heads.map((r) => flattenHeadRow(r, metricIds)),
      page,
    },
    { pinned },
  );
});
