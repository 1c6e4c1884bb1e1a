/**
 * One place that turns a page view (lib/serve-cache/page-query.ts) and its parameters into the page: the page
 * routes (no parameters, cached), their `/with-query/…` twin (normalised parameters in the path, cached) and their
 * `/live-query/…` twin (live inference, never cached) all render through it, so the three cannot drift apart.
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { parseHeadSlug } from '@/lib/format/head-name';
import { parseViewPath, type PageQuery, type PageView } from '@/lib/serve-cache/page-query';
import { CompositionPage } from '../composition/CompositionPage';
import { HeadPage } from '../HeadPage';
import { HeadEmbedCard } from '../heads/HeadEmbedCard';
import { ModelPage } from '../ModelPage';
import { LayerNeuronsPage } from '../neurons/LayerNeuronsPage';
import { NeuronEmbedCard } from '../neurons/NeuronEmbedCard';
import { NeuronPage } from '../neurons/NeuronPage';
import { SearchView } from '../SearchView';
import { CircuitPage } from '../circuits/CircuitPage';
import { CircuitsIndexPage } from '../circuits/CircuitsIndexPage';

// A title shows the query as text; control characters (a NUL, escapes) are not part of it.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

export function PageViewContent({ view, query }: { view: PageView; query: PageQuery }) {
  switch (view.kind) {
    case 'model':
      return <ModelPage modelSlug={view.model} runId={view.runId} searchParams={query} />;
    case 'head':
      if (query.embed === '1') return <HeadEmbedCard modelSlug={view.model} runId={view.runId} headParam={view.head} />;
      return <HeadPage modelSlug={view.model} runId={view.runId} headParam={view.head} customText={query.text} />;
    case 'layer':
      return <LayerNeuronsPage modelSlug={view.model} runId={view.runId} layerParam={view.layer} query={query} />;
    case 'neuron':
      if (query.embed === '1') {
        return (
          <NeuronEmbedCard
            modelSlug={view.model}
            runId={view.runId}
            layerParam={view.layer}
            neuronParam={view.neuron}
            siteParam={query.site}
          />
        );
      }
      return (
        <NeuronPage
          modelSlug={view.model}
          runId={view.runId}
          layerParam={view.layer}
          neuronParam={view.neuron}
          siteParam={query.site}
          probeParam={query.probe}
        />
      );
    case 'composition':
      return <CompositionPage modelSlug={view.model} runId={view.runId} query={query} />;
    case 'search':
      return <SearchView params={query} />;
    case 'circuits':
      return <CircuitsIndexPage modelSlug={view.model} runId={view.runId} />;
    case 'circuit':
      return <CircuitPage modelSlug={view.model} runId={view.runId} task={view.task} />;
  }
}

export function pageViewMetadata(view: PageView, query: PageQuery = {}): Metadata {
  const pinned = view.kind !== 'search' && view.runId ? ` (run ${view.runId})` : '';
  switch (view.kind) {
    case 'model':
      return { title: `${view.model} — attention heads${pinned}` };
    case 'head': {
      const ref = parseHeadSlug(view.head);
      return { title: `${ref ? `${view.model} L${ref.layer}H${ref.head}` : view.model}${pinned}` };
    }
    case 'layer':
      return { title: `${view.model} layer ${view.layer} neurons${pinned}` };
    case 'neuron':
      return { title: `${view.model} L${view.layer}N${view.neuron}${pinned}` };
    case 'composition':
      return { title: `${view.model} — composition between heads${pinned}` };
    case 'circuits':
      return { title: `${view.model} — circuits${pinned}` };
    case 'circuit':
      return { title: `${view.model} — ${view.task} circuit${pinned}` };
    case 'search': {
      const shown = (query.q ?? '').replace(CONTROL_CHARACTERS, ' ').trim().slice(0, 60);
      return { title: shown ? `Search: ${shown}` : 'Search' };
    }
  }
}

/** The view a twin route's `[...path]` names, or a 404. */
export function viewFromSegments(path: string[]): PageView {
  const view = parseViewPath(`/${path.map(encodeURIComponent).join('/')}`);
  if (!view) notFound();
  return view;
}
