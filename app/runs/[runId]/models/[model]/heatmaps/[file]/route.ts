import { metricColorScale } from '@/app/components/color-scale';
import { loadHeadTable } from '@/lib/api/head-data';
import { heatmapPng } from '@/lib/api/heatmap-image';
import { heatmapDomain, heatmapStats } from '@/lib/api/heatmap-view';
import { metricGrid } from '@/lib/api/head-rows';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { pngResponse } from '@/lib/serve-cache/png-response';

/**
 * `/runs/{runId}/models/{model}/heatmaps/{metric}[.stretched].png`: one metric's layer × head heatmap of a published
 * run, one pixel per head (a big model's pages draw these instead of one SVG element per head). Pinned to the run,
 * so it is rendered once (lib/serve-cache) and browsers keep it forever.
 */
export const revalidate = false;
export function generateStaticParams() {
  return [];
}

type Ctx = { params: Promise<{ runId: string; model: string; file: string }> };

export async function GET(_request: Request, ctx: Ctx) {
  const { runId, model: modelSlug, file } = await ctx.params;
  const m = /^([a-z][a-z0-9_]*)(\.stretched)?\.png$/.exec(file);
  if (!m || !modelSlugSchema.safeParse(modelSlug).success || !runIdSchema.safeParse(runId).success)
    return new Response('not found', { status: 404 });
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') return new Response('not found', { status: 404 });
  const { model, run } = resolved;
  const { metrics, rows } = await loadHeadTable(model, run);
  const metric = metrics.find((x) => x.id === m[1]);
  if (!metric) return new Response('not found', { status: 404 });
  const grid = metricGrid(rows, metric.id, { nLayers: model.nLayers, nHeads: model.nHeads });
  const color = metricColorScale(heatmapDomain(metric.range, heatmapStats(grid), m[2] !== undefined));
  return pngResponse(heatmapPng(grid, color));
}
