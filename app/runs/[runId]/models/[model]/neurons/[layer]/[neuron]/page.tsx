import type { Metadata } from 'next';
import { NeuronPage } from '@/app/components/neurons/NeuronPage';
import { NeuronEmbedCard } from '@/app/components/neurons/NeuronEmbedCard';

/** `/runs/{runId}/models/{model}/neurons/{L}/{N}`: the neuron page pinned to one published run. */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ runId: string; model: string; layer: string; neuron: string }>; searchParams: Promise<{ site?: string | string[]; probe?: string | string[]; embed?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, layer, neuron, runId } = await params;
  return { title: `${model} L${layer}N${neuron} (run ${runId})` };
}

export default async function Page({ params, searchParams }: Props) {
  const { runId, model, layer, neuron } = await params;
  const { site, probe, embed } = await searchParams;
  const siteParam = Array.isArray(site) ? site[0] : site;
  // `?embed=1`: the embeddable neuron card, without site chrome.
  if (embed === '1') return <NeuronEmbedCard modelSlug={model} runId={runId} layerParam={layer} neuronParam={neuron} siteParam={siteParam} />;
  return <NeuronPage modelSlug={model} runId={runId} layerParam={layer} neuronParam={neuron} siteParam={siteParam} probeParam={Array.isArray(probe) ? probe[0] : probe} />;
}
