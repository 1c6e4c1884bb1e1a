import type { Metadata } from 'next';
import { LayerNeuronsPage } from '@/app/components/neurons/LayerNeuronsPage';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ model: string; layer: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, layer } = await params;
  return { title: `${model} layer ${layer} neurons` };
}

export default async function Page({ params, searchParams }: Props) {
  const { model, layer } = await params;
  return <LayerNeuronsPage modelSlug={model} layerParam={layer} query={await searchParams} />;
}
