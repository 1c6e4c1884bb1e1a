/**
 * "Try your own text" on a neuron page, readable without JavaScript: the form submits (GET) to the neuron page
 * itself with `?probe=`, and this server component runs the neuron live (lib/api/neuron-probe: lib/live's length,
 * queue and time limits, plus the `live` rate limit) and renders the shaded tokens — or the reason it could not.
 * With JavaScript, NeuronProbe intercepts the form and asks the probe API instead, without a page load.
 */
import { headers } from 'next/headers';
import { ApiError } from '@/lib/api/errors';
import { probeNeuron } from '@/lib/api/neuron-probe';
import { liveBudgetRefusal } from '@/lib/api/live-budget';
import type { ModelInfo } from '@/lib/db/models';
import type { NeuronSite } from '@/lib/metrics/neurons/sites';
import { LIVE_LIMITS } from '@/lib/live/limits';
import { NeuronProbe, type ProbeResult } from './NeuronProbe';

async function runLive(
  model: ModelInfo,
  layer: number,
  neuron: number,
  site: NeuronSite,
  text: string,
): Promise<{ result?: ProbeResult; error?: string }> {
  if (text.trim() === '') return { error: 'text: must not be empty' };
  if (text.length <= LIVE_LIMITS.maxChars) {
    const refused = liveBudgetRefusal({ headers: await headers() });
    if (refused) return { error: refused };
  }
  try {
    const r = await probeNeuron(model, layer, neuron, site, text);
    return { result: { tokens: r.tokens, acts: r.acts } };
  } catch (err) {
    if (err instanceof ApiError) return { error: err.message };
    throw err;
  }
}

export async function NeuronProbeSection(props: {
  model: ModelInfo;
  layer: number;
  neuron: number;
  site: NeuronSite;
  endpoint: string;
  /** The neuron page's path without query (the no-JS form's action). */
  pagePath: string;
  scale: number;
  /** `?probe=` of the request, when the no-JS form was submitted. */
  text?: string;
  defaultText: string;
}) {
  const { model, layer, neuron, site, text } = props;
  const initial = text === undefined ? undefined : await runLive(model, layer, neuron, site, text);
  return (
    <NeuronProbe
      endpoint={props.endpoint}
      formAction={`${props.pagePath}#probe`}
      site={site}
      scale={props.scale}
      maxChars={LIVE_LIMITS.maxChars}
      defaultText={text ?? props.defaultText}
      initialResult={initial?.result}
      initialError={initial?.error}
    />
  );
}
