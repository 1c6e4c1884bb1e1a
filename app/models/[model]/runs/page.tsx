import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { CiteThis } from '@/app/components/CiteThis';
import { decodeCursor, encodeCursor } from '@/lib/api/cursor';
import { modelSlugSchema } from '@/lib/api/params';
import { getModel } from '@/lib/db/models';
import { listPublishedRuns, runListKey } from '@/lib/db/run-listing';
import { formatDuration } from '@/lib/format/duration';
import { formatDate } from '@/lib/format/numbers';
import { modelPath, queryString } from '@/lib/format/paths';

/** `/models/{model}/runs`: every published run of a model, newest first, with a compare form. */
export const dynamic = 'force-dynamic';

const PAGE = 50;
const keySchema = z.object({ publishedAt: z.iso.datetime(), id: z.string().max(64) });

type Props = { params: Promise<{ model: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).model} — runs` };
}

export default async function ModelRunsPage({ params, searchParams }: Props) {
  const { model: slug } = await params;
  if (!modelSlugSchema.safeParse(slug).success) notFound();
  const model = await getModel(slug);
  if (!model) notFound();
  const rawCursor = (await searchParams).cursor;
  let after;
  try {
    after = typeof rawCursor === 'string' && rawCursor ? decodeCursor(rawCursor, `runs-page:${model.slug}`, keySchema) : undefined;
  } catch {
    after = undefined; // a stale or edited cursor: show the first page
  }
  const rows = await listPublishedRuns({ modelSlug: model.slug, after, take: PAGE + 1 });
  const runs = rows.slice(0, PAGE);
  const next = rows.length > PAGE ? encodeCursor(`runs-page:${model.slug}`, runListKey(runs[runs.length - 1])) : null;
  const latest = !after ? runs[0] : undefined;

  return (
    <>
      <Breadcrumbs
        items={[{ label: 'Models', href: '/models' }, { label: model.displayName, href: modelPath(model.slug) }, { label: 'Runs' }]}
      />
      <h1>Runs of {model.displayName}</h1>
      <p className="lede">
        Every published analysis of this model, newest first. A run never changes once published; recomputing makes a new run.
      </p>
      {runs.length === 0 ? (
        <p className="notice">No run of this model has been published yet.</p>
      ) : (
        <>
          <table className="data-table" data-testid="runs-table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Published</th>
                <th>Corpus</th>
                <th>Code version</th>
                <th className="num">Took</th>
                <th>Metrics</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/runs/${r.id}`}>
                      <code>{r.id}</code>
                    </Link>
                    {latest?.id === r.id ? <span className="small muted"> (latest)</span> : null}
                  </td>
                  <td>{formatDate(r.publishedAt)}</td>
                  <td>{r.corpusSlug ?? '—'}</td>
                  <td>
                    <code>{r.codeVersion}</code>
                  </td>
                  <td className="num">{formatDuration(r.durationMs)}</td>
                  <td className="small">{Object.keys(r.metricVersions).length}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {next ? (
            <p>
              <Link href={`${modelPath(model.slug)}/runs${queryString({ cursor: next })}`} data-testid="runs-next">
                Older runs →
              </Link>
            </p>
          ) : null}
          <h2>Compare two runs</h2>
          <form action="/compare" method="get" className="compare-form">
            <label>
              Run a{' '}
              <select name="a" defaultValue={runs[1]?.id ?? runs[0].id}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.id} ({formatDate(r.publishedAt)})
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              run b{' '}
              <select name="b" defaultValue={runs[0].id}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.id} ({formatDate(r.publishedAt)})
                  </option>
                ))}
              </select>
            </label>{' '}
            <button type="submit">Compare</button>
          </form>
        </>
      )}
      <p className="api-links">
        As JSON: <a href={`/api/v1/models/${model.slug}/runs`}>/api/v1/models/{model.slug}/runs</a>
      </p>
      {latest ? (
        <CiteThis title={`${model.displayName}: attention heads`} pinnedPath={modelPath(model.slug, latest.id)} run={latest} />
      ) : null}
    </>
  );
}
