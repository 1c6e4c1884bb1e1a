import type { Metadata } from 'next';
import { LayerNeuronsPage } from '@/app/components/neurons/LayerNeuronsPage';

/** `/runs/{runId}/models/{model}/layers/{L}`: the layer's neurons pinned to one published run. */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ runId: string; model: string; layer: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, layer, runId } = await params;
  return { title: `${model} layer ${layer} neurons (run ${runId})` };
}

export default async function Page({ params, searchParams }: Props) {
  const { runId, model, layer } = await params;
  return <LayerNeuronsPage modelSlug={model} runId={runId} layerParam={layer} query={await searchParams} />;
}
