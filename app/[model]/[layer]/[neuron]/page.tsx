import { notFound, permanentRedirect } from 'next/navigation';
import { modelSlugSchema } from '@/lib/api/params';
import { neuronPath } from '@/lib/format/neuron-paths';

/**
 * Neuroscope-style `/{model}/{L}/{N}` → `/models/{model}/neurons/{L}/{N}` (308). Static routes (/models, /runs,
 * /metrics, /api, ...) always win over this dynamic segment in Next's router; the guard below keeps even
 * three-segment misses under those prefixes a plain 404 instead of a redirect.
 */
export const dynamic = 'force-dynamic';

const RESERVED = new Set(['api', 'models', 'runs', 'metrics', '_next', 'compare', 'search', 'docs']);
const INDEX = /^(0|[1-9]\d{0,5})$/;

type Props = { params: Promise<{ model: string; layer: string; neuron: string }> };

export default async function Page({ params }: Props) {
  const { model, layer, neuron } = await params;
  if (RESERVED.has(model) || !modelSlugSchema.safeParse(model).success || !INDEX.test(layer) || !INDEX.test(neuron)) notFound();
  permanentRedirect(neuronPath(model, Number(layer), Number(neuron)));
}
