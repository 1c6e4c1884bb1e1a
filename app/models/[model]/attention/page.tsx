import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { HeadGrid } from '@/app/components/attention/HeadGrid';
import { modelSlugSchema } from '@/lib/api/params';
import { getModel } from '@/lib/db/models';
import { modelPath } from '@/lib/format/paths';

/** `/models/{model}/attention?text=[&pattern=]`: every head of the model on the reader's own text, optionally ranked against a
 * detection pattern (the page for `detect`). */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ model: string }>; searchParams: Promise<{ text?: string | string[]; pattern?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { model } = await params;
  return { title: `${model}: every head on your text` };
}

export default async function Page({ params, searchParams }: Props) {
  const { model: slug } = await params;
  const { text, pattern } = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  if (!modelSlugSchema.safeParse(slug).success) notFound();
  const model = await getModel(slug);
  if (!model) notFound();
  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug) },
          { label: 'Every head on your text' },
        ]}
      />
      <h1>Every head on your text</h1>
      <p className="lede">
        The attention pattern of all {model.nLayers * model.nHeads} heads of {model.displayName} on one text, side by side.
      </p>
      <HeadGrid model={model} text={first(text)} pattern={first(pattern)} />
    </>
  );
}
