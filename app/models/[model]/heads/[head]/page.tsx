import type { Metadata } from 'next';
import { HeadPage } from '@/app/components/HeadPage';
import { HeadEmbedCard } from '@/app/components/heads/HeadEmbedCard';
import { parseHeadSlug } from '@/lib/format/head-name';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ model: string; head: string }>;
  /** `?embed=1`: the embeddable head card, without site chrome. */
  searchParams: Promise<{ embed?: string | string[] }>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model, head } = await params;
  const ref = parseHeadSlug(head);
  return { title: ref ? `${model} L${ref.layer}H${ref.head}` : model };
}

export default async function Page({ params, searchParams }: Props) {
  const { model, head } = await params;
  if ((await searchParams).embed === '1') return <HeadEmbedCard modelSlug={model} headParam={head} />;
  return <HeadPage modelSlug={model} headParam={head} />;
}
