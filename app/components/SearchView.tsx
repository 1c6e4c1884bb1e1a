import Link from 'next/link';
import { Breadcrumbs } from './Breadcrumbs';
import { SearchBox } from './SearchBox';
import { queryString } from '@/lib/format/paths';
import { MAX_QUERY_LENGTH } from '@/lib/search/parse';
import { runSearch, type SearchOutcome } from '@/lib/search/search';
import { ApiError, isStatementTimeout } from '@/lib/api/errors';
import { searchQueryProblem, withSearchSlot } from '@/lib/search/query-guard';

const KIND_LABEL: Record<string, string> = { model: 'Model', head: 'Head', neuron: 'Neuron', metric: 'Metric', example: 'Example' };

/** Results per page (links, readable without JavaScript; the API pages with a cursor). */
const SEARCH_PAGE_SIZE = 50;

/** `?page=` as a 1-based page number; anything else is page 1. */
function pageNumber(raw: string | string[] | undefined): number {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v && /^[1-9]\d{0,5}$/.test(v) ? Number(v) : 1;
}

/**
 * The search under the same bounds as /api/v1/search (lib/search/query-guard.ts); a refusal is a message on the page.
 * The per-client budget is counted in proxy.ts (this render is cached per query and knows no client). A busy refusal
 * may be cached with the page until its revalidation (60 s): a search is never run more than the slots allow.
 */
async function boundedSearch(q: string): Promise<{ outcome: SearchOutcome | null; refused: string | null }> {
  const problem = searchQueryProblem(q);
  if (problem) return { outcome: null, refused: `This search ${problem}.` };
  try {
    return { outcome: await withSearchSlot(() => runSearch(q)), refused: null };
  } catch (err) {
    if (err instanceof ApiError && err.status === 503) return { outcome: null, refused: `The search is busy: ${err.message}.` };
    if (isStatementTimeout(err))
      return { outcome: null, refused: 'This search took longer than the server allows; use fewer or longer words.' };
    throw err;
  }
}

/**
 * `/search?q=`: the search box's results (same search as /api/v1/search). Rendered from the page's normalised
 * parameters (lib/serve-cache/page-query.ts), so each query's page is cached until the next publish.
 */
export async function SearchView({ params }: { params: Record<string, string | string[] | undefined> }) {
  const raw = params.q;
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, MAX_QUERY_LENGTH) ?? '';
  const { outcome, refused } = q ? await boundedSearch(q) : { outcome: null, refused: null };
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
      {refused ? (
        <p className="notice" role="alert" data-testid="search-refused">
          {refused}
        </p>
      ) : null}
      <p className="small muted">
        A model name · <code>model:stories260K</code> · a head <code>L9H6</code>, <code>L9 H6</code> or <code>9.6</code> · a neuron{' '}
        <code>L3N123</code> · a page address <code>/models/stories260K/heads/1.3</code> · a metric by any word of its name or its initials (
        <code>entropy</code>, <code>dla</code>) · a threshold <code>induction &gt; 0.5</code> · words or &quot;quoted phrases&quot; from top
        examples.
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
            {total === 0
              ? 'No results.'
              : `${total} result${total === 1 ? '' : 's'}${pages > 1 ? ` (${from + 1}–${from + shown.length} shown, page ${page} of ${pages})` : ''}.`}
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
