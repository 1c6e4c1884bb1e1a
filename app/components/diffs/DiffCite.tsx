import { siteOrigin } from '../site-origin';
import { formatDate } from '@/lib/format/numbers';

/** Permalink and citation of a published diff or checkpoint series (both immutable, so the link is the citation). */
export async function DiffCite({
  title,
  path,
  id,
  kind,
  published,
}: {
  title: string;
  path: string;
  id: string;
  kind: 'diff' | 'series';
  published: Date | null;
}) {
  const origin = await siteOrigin();
  const url = `${origin}${path}`;
  const year = (published ?? new Date()).getUTCFullYear();
  const bibtex = [
    `@misc{headwiki-${kind}-${id},`,
    `  title        = {${title.replace(/[{}]/g, '')}},`,
    `  author       = {{headwiki contributors}},`,
    `  year         = {${year}},`,
    `  howpublished = {\\url{${url}}},`,
    `  note         = {headwiki ${kind} ${id}, published ${formatDate(published)}}`,
    `}`,
  ].join('\n');
  return (
    <aside className="cite" aria-label="Permalink and citation">
      <p>
        <span className="label">Permalink</span>
        <a className="permalink" href={path} data-testid="permalink">
          {url}
        </a>{' '}
        <span className="small muted">(never changes)</span>
      </p>
      <p>
        <span className="label">Cite this</span>
        headwiki contributors ({year}). <em>{title}</em>. headwiki {kind} <code>{id}</code>, published {formatDate(published)}. {url}
      </p>
      <details>
        <summary>BibTeX</summary>
        <pre>{bibtex}</pre>
      </details>
    </aside>
  );
}
