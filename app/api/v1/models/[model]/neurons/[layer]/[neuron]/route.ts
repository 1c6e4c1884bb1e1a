import { notFoundError, withApiErrors } from '@/lib/api/errors';
import { loadNeuronDetail, loadNeuronLayer, neuronExists, neuronJson, siteSchema } from '@/lib/api/neuron-data';
import { indexSchema, modelSlugSchema, parseOptionalParam, parseParam, runIdSchema } from '@/lib/api/params';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { requireModelRun } from '@/lib/api/resolve-run';
import { sendJson } from '@/lib/api/respond';
import { modelJson, runJson } from '@/lib/api/serialize';
import { neuronPath } from '@/lib/format/neuron-paths';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string; layer: string; neuron: string }> };

/**
 * GET /api/v1/models/{model}/neurons/{L}/{N}[?run=&site=post|pre|mid] → the neuron's statistics (histogram,
 * quantiles, moments, density), weight effects (logit effect, input tokens), random-direction baseline,
 * examples (top, diverse, quantile, random; activations on every window token) and other corpora's view.
 * Malformed L/N → 400; outside the model, or a run without neuron data → 404.
 */
export const GET = withApiErrors(async (request: Request, ctx: Ctx) => {
  const params = await ctx.params;
  const slug = parseParam(modelSlugSchema, params.model, 'model');
  const layer = parseParam(indexSchema, params.layer, 'layer');
  const neuron = parseParam(indexSchema, params.neuron, 'neuron');
  const search = new URL(request.url).searchParams;
  rejectUnknownParams(search, ['run', 'site']);
  const runId = parseOptionalParam(runIdSchema, search.get('run') ?? undefined, 'run');
  const site = parseOptionalParam(siteSchema, search.get('site') ?? undefined, 'site') ?? 'post';

  const { model, run, pinned } = await requireModelRun(slug, runId);
  if (!neuronExists(model, layer, neuron)) {
    throw notFoundError(
      `${model.slug} has no neuron L${layer}N${neuron}: it has layers 0..${model.nLayers - 1} and ${model.dMlp} neurons per layer`,
    );
  }
  const scan = await loadNeuronLayer(run, layer, site);
  if (!scan) throw notFoundError(`run ${run.id} has no neuron data for layer ${layer} at site "${site}"`);
  const detail = await loadNeuronDetail(run, scan, neuron);
  if (!detail) throw notFoundError(`run ${run.id} has no statistics for neuron L${layer}N${neuron}`);
  return sendJson(
    request,
    {
      model: modelJson(model),
      run: runJson(run),
      neuron: { layer, neuron, site, hook: `blocks.${layer}.mlp.hook_${site}`, page: neuronPath(model.slug, layer, neuron, run.id, site) },
      ...neuronJson(detail),
    },
    { pinned },
  );
});
