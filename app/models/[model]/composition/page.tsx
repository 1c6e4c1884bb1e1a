import type { Metadata } from 'next';
import { CompositionPage } from '@/app/components/composition/CompositionPage';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ model: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model } = await params;
  return { title: `${model} — composition between heads` };
}

export default async function Page({ params }: Props) {
  const { model } = await params;
  return <CompositionPage modelSlug={model} />;
}
