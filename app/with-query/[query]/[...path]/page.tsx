import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata, viewFromSegments } from '@/app/components/routing/PageView';
import { decodeQuerySegment } from '@/lib/serve-cache/page-query';

/**
 * A page with parameters (`/models/m?sort=induction`), rewritten here by proxy.ts with its normalised query in the
 * path so that Next caches it like the page itself (lib/serve-cache). Not linked anywhere;
 * requests for it directly render the same page (normalised parameters only; the cache is bounded).
 */
export const revalidate = 60;
export function generateStaticParams() {
  return [];
}

type Props = { params: Promise<{ query: string; path: string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { query, path } = await params;
  return pageViewMetadata(viewFromSegments(path), decodeQuerySegment(query));
}

export default async function Page({ params }: Props) {
  const { query, path } = await params;
  return <PageViewContent view={viewFromSegments(path)} query={decodeQuerySegment(query)} />;
}
