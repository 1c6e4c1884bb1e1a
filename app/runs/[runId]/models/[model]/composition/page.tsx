import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata } from '@/app/components/routing/PageView';
import type { PageView } from '@/lib/serve-cache/page-query';

/**
 * `/runs/{runId}/models/{model}/composition`: the composition view pinned to one published run.
 * Rendered once and cached (lib/serve-cache): no query string is read here; proxy.ts sends requests with
 * parameters to the /with-query or /live-query twin. A published run never changes; the cache still
 * empties on every publish (the "newer run" line), see lib/serve-cache/response-cache-handler.mjs.
 */
export const revalidate = false;
export function generateStaticParams() {
  return [];
}

type Props = { params: Promise<{ runId: string; model: string }> };

async function viewOf(params: Props['params']): Promise<PageView> {
  const { model, runId } = await params;
  return { kind: 'composition', model, runId };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return pageViewMetadata(await viewOf(params));
}

export default async function Page({ params }: Props) {
  return <PageViewContent view={await viewOf(params)} query={{}} />;
}
