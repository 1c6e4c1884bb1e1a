import type { RunInfo } from '@/lib/db/runs';
import { formatDate } from '@/lib/format/numbers';
import { siteOrigin } from './site-origin';

/**
 * The permalink (pinned to the run, so it shows the same numbers forever) and a citation,
 * as a short line and as BibTeX.
 */
export async function CiteThis({
  title,
  pinnedPath,
  run,
  latestPath,
}: {
  title: string;
  pinnedPath: string;
  run: RunInfo;
  /** The same page following the latest run; by default the pinned path without its `/runs/{runId}` prefix; null: none
   * (a comparison of two given runs has no "latest" version). */
  latestPath?: string | null;
}) {
  const origin = await siteOrigin();
  const url = `${origin}${pinnedPath}`;
  const runPrefix = `/runs/${encodeURIComponent(run.id)}/`;
  const latest = latestPath === undefined ? (pinnedPath.startsWith(runPrefix) ? pinnedPath.slice(runPrefix.length - 1) : null) : latestPath;
  const published = formatDate(run.publishedAt);
  const year = run.publishedAt ? new Date(run.publishedAt).getUTCFullYear() : new Date().getUTCFullYear();
  // One key per page (head, neuron, layer, composition...): the path after the model, e.g. `-heads-1-3`.
  const modelPart = `/models/${encodeURIComponent(run.modelSlug)}`;
  const rest = pinnedPath.includes(modelPart) ? pinnedPath.slice(pinnedPath.indexOf(modelPart) + modelPart.length).split('?')[0] : '';
  const key = `headwiki-${run.modelSlug}-${run.id}${rest}`.replace(/[^\w-]+/g, '-').replace(/-+$/, '');
  const bibtex = [
    `@misc{${key},`,
    `  title        = {${title.replace(/[{}]/g, '')}},`,
    `  author       = {{headwiki contributors}},`,
    `  year         = {${year}},`,
    `  howpublished = {\\url{${url}}},`,
    `  note         = {headwiki run ${run.id}, published ${published}, code version ${run.codeVersion}}`,
    `}`,
  ].join('\n');
  return (
    <aside className="cite" aria-label="Permalink and citation">
      <p>
        <span className="label">Permalink</span>
        <a className="permalink" href={pinnedPath} data-testid="permalink">
          {url}
        </a>{' '}
        <span className="small muted">(always run {run.id})</span>
      </p>
      {latest ? (
        <p>
          <span className="label">Latest</span>
          <a href={latest} data-testid="latest-link">
            {origin}
            {latest}
          </a>{' '}
          <span className="small muted">(follows newer runs)</span>
        </p>
      ) : null}
      <p>
        <span className="label">Cite this</span>
        headwiki contributors ({year}). <em>{title}</em>. headwiki run <code>{run.id}</code>, published {published}. {url}
      </p>
      <details>
        <summary>BibTeX</summary>
        <pre>{bibtex}</pre>
      </details>
    </aside>
  );
}
