import type { Metadata } from 'next';
import { HeadPage } from '@/app/components/HeadPage';
import { HeadEmbedCard } from '@/app/components/heads/HeadEmbedCard';
import { parseHeadSlug } from '@/lib/format/head-name';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ model: string; head: string }>;
  /** `?embed=1`: the embeddable head card, without site chrome. */
  searchParams: Promise<{ embed?: string | string[]; text?: string | string[] }>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, head } = await params;
  const ref = parseHeadSlug(head);
  return { title: ref ? `${model} L${ref.layer}H${ref.head}` : model };
}

export default async function Page({ params, searchParams }: Props) {
  const { model, head } = await params;
  const search = await searchParams;
  if (search.embed === '1') return <HeadEmbedCard modelSlug={model} headParam={head} />;
  return <HeadPage modelSlug={model} headParam={head} customText={firstOf(search.text)} />;
}

/** `?text=` of the no-JS custom-text form (the first, if repeated). */
function firstOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
