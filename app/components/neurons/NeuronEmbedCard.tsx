/**
 * The embeddable neuron card (`/models/{model}/neurons/{L}/{N}?embed=1`): the neuron's name, its activation range and
 * its top examples shaded by activation, with a link back — no site chrome (`.embed-card`), for iframes in slides and
 * papers; `?embed=1` used to render the whole neuron page.
 */
import { notFound } from 'next/navigation';
import { loadNeuronDetail, loadNeuronLayer, neuronExists, siteSchema } from '@/lib/api/neuron-data';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { neuronPath } from '@/lib/format/neuron-paths';
import { NeuronExampleView } from './NeuronExampleView';
import '../attention/attention.css';

const INDEX = /^(0|[1-9]\d{0,5})$/;
const SHOWN = 4;

export async function NeuronEmbedCard(props: {
  modelSlug: string;
  runId?: string;
  layerParam: string;
  neuronParam: string;
  siteParam?: string;
}) {
  const { modelSlug, runId, layerParam, neuronParam } = props;
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  if (!INDEX.test(layerParam) || !INDEX.test(neuronParam)) notFound();
  const site = siteSchema.safeParse(props.siteParam ?? 'post');
  if (!site.success) notFound();
  const [layer, neuron] = [Number(layerParam), Number(neuronParam)];
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok' || !neuronExists(resolved.model, layer, neuron)) notFound();
  const { model, run } = resolved;
  const scan = await loadNeuronLayer(run, layer, site.data);
  const detail = scan ? await loadNeuronDetail(run, scan, neuron) : null;
  const name = `L${layer}N${neuron}`;
  const permalink = neuronPath(model.slug, layer, neuron, run.id, site.data === 'post' ? undefined : site.data);
  const top = detail ? detail.examples.filter((e) => e.kind === 'top').slice(0, SHOWN) : [];
  const scale = detail ? (detail.stats.maxAct > 0 ? detail.stats.maxAct : Math.max(Math.abs(detail.stats.minAct), 1e-6)) : 1;
  return (
    <article className="neuron-embed embed-card" data-testid="neuron-embed">
      <h1>
        {model.displayName} {name}
      </h1>
      <p className="small muted">
        MLP neuron{' '}
        <code>
          blocks.{layer}.mlp.hook_{site.data}
        </code>
        {detail ? ` · max ${detail.stats.maxAct.toFixed(3)} · fires on ${(detail.stats.density * 100).toFixed(1)} % of tokens` : ''} · run{' '}
        <code>{run.id}</code> ·{' '}
        <a href={permalink} target="_top">
          open in headwiki
        </a>
      </p>
      {top.length === 0 ? <p className="notice">This run stored no examples for this neuron.</p> : null}
      {top.map((e) => (
        <NeuronExampleView key={e.rank} ex={e} scale={scale} label={`#${e.rank + 1}`} />
      ))}
    </article>
  );
}
