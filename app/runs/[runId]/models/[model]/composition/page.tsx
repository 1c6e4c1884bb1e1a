import type { Metadata } from 'next';
import { CompositionPage } from '@/app/components/composition/CompositionPage';

/** `/runs/{runId}/models/{model}/composition`: the composition view pinned to one published run. */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ runId: string; model: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, runId } = await params;
  return { title: `${model} — composition between heads (run ${runId})` };
}

export default async function Page({ params }: Props) {
  const { runId, model } = await params;
  return <CompositionPage modelSlug={model} runId={runId} />;
}
