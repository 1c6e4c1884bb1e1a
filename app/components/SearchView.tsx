import Link from 'next/link';
import { Breadcrumbs } from './Breadcrumbs';
import { SearchBox } from './SearchBox';
import { queryString } from '@/lib/format/paths';
import { MAX_QUERY_LENGTH } from '@/lib/search/parse';
import { runSearch } from '@/lib/search/search';

const KIND_LABEL: Record<string, string> = { model: 'Model', head: 'Head', neuron: 'Neuron', metric: 'Metric', example: 'Example' };

/** Results per page (links, readable without JavaScript; the API pages with a cursor). */
const SEARCH_PAGE_SIZE = 50;

/** `?page=` as a 1-based page number; anything else is page 1. */
function pageNumber(raw: string | string[] | undefined): number {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v && /^[1-9]\d{0,5}$/.test(v) ? Number(v) : 1;
}

/**
 * `/search?q=`: the search box's results (same search as /api/v1/search). Rendered from the page's normalised
 * parameters (lib/serve-cache/page-query.ts), so each query's page is cached until the next publish.
 */
export async function SearchView({ params }: { params: Record<string, string | string[] | undefined> }) {
  const raw = params.q;
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, MAX_QUERY_LENGTH) ?? '';
  const outcome = q ? await runSearch(q) : null;
  const total = outcome?.results.length ?? 0;
  const pages = Math.max(1, Math.ceil(total / SEARCH_PAGE_SIZE));
  const page = Math.min(pageNumber(params.page), pages);
  const from = (page - 1) * SEARCH_PAGE_SIZE;
  const shown = outcome?.results.slice(from, from + SEARCH_PAGE_SIZE) ?? [];
  const pageHref = (p: number) => `/search${queryString({ q, page: p > 1 ? p : undefined })}`;
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
            {total === 0 ? 'No results.' : `${total} result${total === 1 ? '' : 's'}${pages > 1 ? ` (${from + 1}–${from + shown.length} shown, page ${page} of ${pages})` : ''}.`}
          </p>
          <ol className="search-results" data-testid="search-results" start={from + 1}>
            {shown.map((r) => (
              <li key={r.url}>
                <span className="small muted">{KIND_LABEL[r.kind]}</span> <Link href={r.url}>{r.title}</Link>
                <div className="small muted">{r.description}</div>
                {r.match ? (
                  // Corpus text: rendered as a text node only.
                  <div className="small search-match" data-testid="search-match">
                    <a href={r.match.url}>{r.match.example}</a>: <q>{r.match.text}</q>
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
          {pages > 1 ? (
            <nav className="search-pager" aria-label="Result pages" data-testid="search-pager">
              {page > 1 ? (
                <Link href={pageHref(page - 1)} rel="prev">
                  ← Previous {SEARCH_PAGE_SIZE}
                </Link>
              ) : null}{' '}
              <span className="small muted">
                Page {page} of {pages}
              </span>{' '}
              {page < pages ? (
                <Link href={pageHref(page + 1)} rel="next" data-testid="search-next">
                  Next {Math.min(SEARCH_PAGE_SIZE, total - from - SEARCH_PAGE_SIZE)} →
                </Link>
              ) : null}
            </nav>
          ) : null}
          <p className="api-links">
            As JSON: <a href={`/api/v1/search${queryString({ q })}`}>/api/v1/search{queryString({ q })}</a>
          </p>
        </>
      ) : null}
    </>
  );
}
