/** Neuron explorer page and API paths (see paths.ts: a run id pins a path to one published run). */
import { modelPath, queryString } from './paths';

const seg = encodeURIComponent;

export type SiteParam = 'post' | 'pre' | 'mid';

/** `?site=` only when not the default `post`. */
function siteQuery(site?: string, extra: Record<string, string | number | undefined> = {}): string {
  return queryString({ site: site && site !== 'post' ? site : undefined, ...extra });
}

export function neuronPath(model: string, layer: number, neuron: number, runId?: string, site?: string): string {
  return `${modelPath(model, runId)}/neurons/${layer}/${neuron}${siteQuery(site)}`;
}

export function layerPath(
  model: string,
  layer: number,
  runId?: string,
  opts: { site?: string; sort?: string; dir?: string; page?: number } = {},
): string {
  return `${modelPath(model, runId)}/layers/${layer}${siteQuery(opts.site, { sort: opts.sort, dir: opts.dir, page: opts.page })}`;
}

export function apiNeuronPath(model: string, layer: number, neuron: number, runId?: string, site?: string): string {
  return `/api/v1/models/${seg(model)}/neurons/${layer}/${neuron}${siteQuery(site, { run: runId })}`;
}

export function apiLayerNeuronsPath(model: string, layer: number, runId?: string, site?: string): string {
  return `/api/v1/models/${seg(model)}/neurons/${layer}${siteQuery(site, { run: runId })}`;
}

export function apiNeuronProbePath(model: string, layer: number, neuron: number): string {
  return `/api/v1/models/${seg(model)}/neurons/${layer}/${neuron}/probe`;
}
