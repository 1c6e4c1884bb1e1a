import type { Metadata } from 'next';
import { PageViewContent, pageViewMetadata, viewFromSegments } from '@/app/components/routing/PageView';

/**
 * A page running the model live for its visitor (`?text=` on a head page, `?probe=` on a neuron page), rewritten
 * here by proxy.ts: rendered per request (rate-limited per client), never cached.
 */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ path: string[] }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

function firstValues(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first;
  }
  return out;
}

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  return pageViewMetadata(viewFromSegments((await params).path), firstValues(await searchParams));
}

export default async function Page({ params, searchParams }: Props) {
  return <PageViewContent view={viewFromSegments((await params).path)} query={firstValues(await searchParams)} />;
}
