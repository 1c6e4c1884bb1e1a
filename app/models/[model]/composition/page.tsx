import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata } from '@/app/components/routing/PageView';
import type { PageView } from '@/lib/serve-cache/page-query';

/**
 * `/models/{model}/composition`: composition between heads, latest run.
 * Rendered once and cached (lib/serve-cache): no query string is read here; proxy.ts sends requests with
 * parameters to the /with-query or /live-query twin. The cache empties when any run is published
 * (lib/serve-cache/response-cache-handler.mjs); 60 s bounds what a CDN in front keeps.
 */
export const revalidate = 60;
export function generateStaticParams() {
  return [];
}

type Props = { params: Promise<{ model: string }> };

async function viewOf(params: Props['params']): Promise<PageView> {
  const { model } = await params;
  return { kind: 'composition', model };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return pageViewMetadata(await viewOf(params));
}

export default async function Page({ params }: Props) {
  return <PageViewContent view={await viewOf(params)} query={{}} />;
}
