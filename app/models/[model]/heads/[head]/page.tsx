import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata } from '@/app/components/routing/PageView';
import type { PageView } from '@/lib/serve-cache/page-query';

/**
 * `/models/{model}/heads/{L}.{H}` (`?embed=1`: the embeddable card; `?text=`: live, see app/live-query).
 * Rendered once and cached (lib/serve-cache): no query string is read here; proxy.ts sends requests with
 * parameters to the /with-query or /live-query twin. The cache empties when any run is published
 * (lib/serve-cache/response-cache-handler.mjs); 60 s bounds what a CDN in front keeps.
 */
export const revalidate = 60;
export function generateStaticParams() {
  return [];
}

type Props = { params: Promise<{ model: string; head: string }> };

async function viewOf(params: Props['params']): Promise<PageView> {
  const { model, head } = await params;
  return { kind: 'head', model, head };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return pageViewMetadata(await viewOf(params));
}

export default async function Page({ params }: Props) {
  return <PageViewContent view={await viewOf(params)} query={{}} />;
}
