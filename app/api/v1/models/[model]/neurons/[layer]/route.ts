import { z } from 'zod';
import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { PAGE_PARAMS, pageOf, parsePage } from '@/lib/api/cursor';
import { loadNeuronLayer, neuronSortSchema, siteSchema } from '@/lib/api/neuron-data';
import { indexSchema, modelSlugSchema, parseOptionalParam, parseParam, runIdSchema, sortDirSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { listNeuronStats } from '@/lib/db/neurons';
import { neuronPath } from '@/lib/format/neuron-paths';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; layer: string }> };

const keySchema = z.object({ value: z.number().nullable(), neuron: z.number().int().min(0) });

/**
 * GET /api/v1/models/{model}/neurons/{L}[?run=&site=&sort=maxAct&dir=desc&limit=&cursor=] → the layer's neurons with
 * their statistics (no examples), sorted, cursor-paginated (follow `page.next`).
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const slug = parseParam(modelSlugSchema, params.model, 'model');
  const layer = parseParam(indexSchema, params.layer, 'layer');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run', 'site', 'sort', 'dir', ...PAGE_PARAMS]);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const site = parseOptionalParam(siteSchema, search.get('site') ?? undefined, 'site') ?? 'post';
  const sort = parseOptionalParam(neuronSortSchema, search.get('sort') ?? undefined, 'sort') ?? 'neuron';
  const dir = parseOptionalParam(sortDirSchema, search.get('dir') ?? undefined, 'dir') ?? (sort === 'neuron' ? 'asc' : 'desc');
  const page = parsePage(search, { key: keySchema, scope: `neurons:${layer}:${site}:${sort}:${dir}`, defaultLimit: 100, maxLimit: 1000 });

  const { model, run, pinned } = await requireModelRun(slug, runId);
  if (layer >= model.nLayers) throw notFoundError(`${model.slug} has layers 0..${model.nLayers - 1}; got layer ${layer}`);
  const scan = await loadNeuronLayer(run, layer, site);
  if (!scan) throw notFoundError(`run ${run.id} has no neuron data for layer ${layer} at site "${site}"`);
  const rows = await listNeuronStats(run.id, scan.primary.corpusSlug, layer, site, { sort, dir, limit: page.limit + 1, after: page.after });
  const { items, page: info } = pageOf(request, rows, page, (r) => ({
    value: sort === 'neuron' ? null : ((r as unknown as Record<string, number | null>)[sort] ?? null),
    neuron: r.neuron,
  }));
  return sendJson(
    request,
    {
      model: modelJson(model),
      run: runJson(run),
      layer,
      site,
      corpus: scan.primary.corpusSlug,
      sort,
      dir,
      neurons: items.map(({ effects: _e, histogram: _h, ...r }) => ({ ...r, page: neuronPath(model.slug, layer, r.neuron, run.id, site) })),
      page: info,
    },
    { pinned },
  );
});
