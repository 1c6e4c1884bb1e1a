/**
 * A neuron's activations on a visitor's text, run live (lib/live): shared by the probe API route and the neuron
 * page's no-JavaScript form (`?probe=`). Validates what the engine cannot explain well (length, site) first.
 */
import type { ModelInfo } from '@/lib/db/models';
import { formatToken } from '@/lib/format/token-display';
import { isLiveError, liveForward, LIVE_LIMITS } from '@/lib/live';
import { NEURON_SITES, neuronSites, siteHook, type NeuronSite } from '@/lib/metrics/neurons/sites';
import type { ModelConfig } from '@/lib/models/types';
import { ApiError, badRequest } from './errors';

export interface NeuronProbeResult {
  hook: string;
  tokenIds: number[];
  /** Raw piece plus its display form (formatToken); BOS first. */
  tokens: { piece: string; text: string; title: string; kind: string }[];
  acts: number[];
}

export function probeSites(model: ModelInfo): readonly NeuronSite[] {
  // A model without a config row (hand-registered) gets every site; the engine refuses a hook it lacks (400).
  return model.config ? neuronSites(model.config as ModelConfig) : NEURON_SITES;
}

/** Throws ApiError 400/413 on bad input; LiveErrors become ApiErrors with their status (503 busy, 504 slow, ...). */
export async function probeNeuron(
  model: ModelInfo,
  layer: number,
  neuron: number,
  site: NeuronSite,
  text: string,
): Promise<NeuronProbeResult> {
  if (text.length > LIVE_LIMITS.maxChars) {
    throw new ApiError(
      413,
      `text too long: ${text.length} characters; the limit is ${LIVE_LIMITS.maxChars} characters and ${LIVE_LIMITS.maxTokens} tokens`,
      {
        limitTokens: LIVE_LIMITS.maxTokens,
        limitChars: LIVE_LIMITS.maxChars,
      },
    );
  }
  const sites = probeSites(model);
  if (!sites.includes(site)) throw badRequest(`site: ${model.slug}'s MLP has no hook_${site}; its neuron sites are ${sites.join(', ')}`);
  const hook = siteHook(layer, site);
  try {
    const result = await liveForward({ modelSlug: model.slug, text, hooks: [hook] });
    const t = result.activations[hook];
    const d = t.shape[2];
    return {
      hook,
      tokenIds: result.tokenIds,
      tokens: result.tokens.map((piece) => ({ piece, ...formatToken(piece) })),
      acts: result.tokenIds.map((_, p) => t.data[p * d + neuron]),
    };
  } catch (err) {
    if (isLiveError(err)) throw new ApiError(err.status, err.message, err.details);
    throw err;
  }
}
