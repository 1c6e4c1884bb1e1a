import type { Metadata } from 'next';
import { NeuronPage } from '@/app/components/neurons/NeuronPage';
import { NeuronEmbedCard } from '@/app/components/neurons/NeuronEmbedCard';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ model: string; layer: string; neuron: string }>; searchParams: Promise<{ site?: string | string[]; probe?: string | string[]; embed?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, layer, neuron } = await params;
  return { title: `${model} L${layer}N${neuron}` };
}

export default async function Page({ params, searchParams }: Props) {
  const { model, layer, neuron } = await params;
  const { site, probe, embed } = await searchParams;
  const siteParam = Array.isArray(site) ? site[0] : site;
  // `?embed=1`: the embeddable neuron card, without site chrome.
  if (embed === '1') return <NeuronEmbedCard modelSlug={model} layerParam={layer} neuronParam={neuron} siteParam={siteParam} />;
  return <NeuronPage modelSlug={model} layerParam={layer} neuronParam={neuron} siteParam={siteParam} probeParam={Array.isArray(probe) ? probe[0] : probe} />;
}
