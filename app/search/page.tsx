import type { Metadata } from 'next';
import Link from 'next/link';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { SearchBox } from '@/app/components/SearchBox';
import { queryString } from '@/lib/format/paths';
import { MAX_QUERY_LENGTH } from '@/lib/search/parse';
import { runSearch } from '@/lib/search/search';

/** `/search?q=`: the search box's results (same search as /api/v1/search). */
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const q = (await searchParams).q;
  return { title: typeof q === 'string' && q ? `Search: ${q.slice(0, 60)}` : 'Search' };
}

const KIND_LABEL: Record<string, string> = { model: 'Model', head: 'Head', neuron: 'Neuron', metric: 'Metric', example: 'Example' };

export default async function SearchPage({ searchParams }: Props) {
  const raw = (await searchParams).q;
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, MAX_QUERY_LENGTH) ?? '';
  const outcome = q ? await runSearch(q) : null;
  return (
    <>
      <Breadcrumbs items={[{ label: 'Search' }]} />
      <h1>Search</h1>
      <SearchBox defaultValue={q} />
      <p className="small muted">
        A model name · <code>model:stories260K</code> · a head <code>L9H6</code> or <code>9.6</code> · a neuron <code>L3N123</code> · a
        threshold <code>induction &gt; 0.5</code> · words or &quot;quoted phrases&quot; from top examples.
      </p>
      {outcome ? (
        <>
          {outcome.parsed.problems.length > 0 ? (
            <ul className="notice" role="status" data-testid="search-problems">
              {outcome.parsed.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
          <p className="small" data-testid="search-count">
            {outcome.results.length === 0 ? 'No results.' : `${outcome.results.length} result${outcome.results.length === 1 ? '' : 's'}.`}
          </p>
          <ol className="search-results" data-testid="search-results">
            {outcome.results.slice(0, 500).map((r) => (
              <li key={r.url}>
                <span className="small muted">{KIND_LABEL[r.kind]}</span> <Link href={r.url}>{r.title}</Link>
                <div className="small muted">{r.description}</div>
              </li>
            ))}
          </ol>
          <p className="api-links">
            As JSON: <a href={`/api/v1/search${queryString({ q })}`}>/api/v1/search{queryString({ q })}</a>
          </p>
        </>
      ) : null}
    </>
  );
}
