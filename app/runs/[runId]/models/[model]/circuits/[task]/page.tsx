import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata } from '@/app/components/routing/PageView';
import type { PageView } from '@/lib/serve-cache/page-query';

/** `/runs/{runId}/models/{model}/circuits/{task}`: a task's circuit in one published run (never changes). */
export const revalidate = false;
export function generateStaticParams() {
  return [];
}

type Props = { params: Promise<{ runId: string; model: string; task: string }> };

async function viewOf(params: Props['params']): Promise<PageView> {
  const { model, runId, task } = await params;
  return { kind: 'circuit', model, runId, task };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return pageViewMetadata(await viewOf(params));
}

export default async function Page({ params }: Props) {
  return <PageViewContent view={await viewOf(params)} query={{}} />;
}
