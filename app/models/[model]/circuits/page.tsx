import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata } from '@/app/components/routing/PageView';
import type { PageView } from '@/lib/serve-cache/page-query';

/** `/models/{model}/circuits`: the tasks of the latest run. Cached like every page view (lib/serve-cache). */
export const revalidate = 60;
export function generateStaticParams() {
  return [];
}

type Props = { params: Promise<{ model: string }> };

async function viewOf(params: Props['params']): Promise<PageView> {
  const { model } = await params;
  return { kind: 'circuits', model };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return pageViewMetadata(await viewOf(params));
}

export default async function Page({ params }: Props) {
  return <PageViewContent view={await viewOf(params)} query={{}} />;
}
