import type { Metadata } from 'next';
import { SearchView } from '@/app/components/SearchView';

/**
 * `/search`: the search form. With `?q=`, proxy.ts sends the request to the cached /with-query twin (one cache
 * entry per normalised query until the next publish, lib/serve-cache/page-query.ts).
 */
export const revalidate = 60;

export const metadata: Metadata = { title: 'Search' };

export default function Page() {
  return <SearchView params={{}} />;
}
