import { interpolateOranges, scaleSequential } from 'd3';
import { compositionPng } from '@/lib/api/composition-image';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { getCompositionBaselines, listHeadComposition, type CompositionKind, type CompositionKey } from '@/lib/db/head-composition';
import { pngResponse } from '@/lib/serve-cache/png-response';

/**
 * `/runs/{runId}/models/{model}/composition/{q|k|v}.png`: a published run's heads × heads composition matrix of one
 * kind, one pixel per (writing, reading) head pair, coloured as CompositionMatrix colours its SVG cells (a big model's
 * composition page draws these). Pinned to the run: rendered once (lib/serve-cache), kept forever by browsers.
 */
export const revalidate = false;
export function generateStaticParams() {
  return [];
}

type Ctx = { params: Promise<{ runId: string; model: string; file: string }> };

export async function GET(_request: Request, ctx: Ctx) {
  const { runId, model: modelSlug, file } = await ctx.params;
  const m = /^([qkv])\.png$/.exec(file);
  if (!m || !modelSlugSchema.safeParse(modelSlug).success || !runIdSchema.safeParse(runId).success)
    return new Response('not found', { status: 404 });
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') return new Response('not found', { status: 404 });
  const { model, run } = resolved;
  const kind = m[1] as CompositionKind;
  const baseline = (await getCompositionBaselines(run.id)).find((b) => b.kind === kind) ?? null;
  // Read a page at a time (primary-key order): 700 k pairs per kind for a GPT-2-XL-sized model.
  const n = model.nLayers * model.nHeads;
  const values = new Float32Array(n * n).fill(NaN);
  let after: CompositionKey | undefined;
  for (;;) {
    const page = await listHeadComposition(run.id, { kind, after, limit: 50_000 });
    for (const r of page) values[(r.srcLayer * model.nHeads + r.srcHead) * n + r.dstLayer * model.nHeads + r.dstHead] = r.value;
    if (page.length < 50_000) break;
    after = page[page.length - 1];
  }
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const lo = baseline ? baseline.mean : 0;
  const color = scaleSequential(interpolateOranges)
    .domain([lo, Math.max(max, lo + 1e-9)])
    .clamp(true);
  return pngResponse(compositionPng(values, n, baseline, (v) => color(v)));
}
