import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getPublishedRun } from '@/lib/db/runs';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { CiteThis } from '@/app/components/CiteThis';
import { CompareForm } from '@/app/components/CompareForm';
import { loadComparison, type ResolvedComparison } from '@/lib/api/compare';
import { ApiError } from '@/lib/api/errors';
import { runIdSchema } from '@/lib/api/params';
import { runPagePath } from '@/lib/api/run-detail';
import { formatMetricValue } from '@/lib/format/numbers';
import { headPath, queryString } from '@/lib/format/paths';

/** `/compare?a=<runId>&b=<runId>[&metric=]`: per-head metric differences between two runs (b − a). */
export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Compare runs' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() ?? '';

function signed(x: number | null): string {
  if (x === null) return '—';
  return (x > 0 ? '+' : '') + formatMetricValue(x);
}

export default async function ComparePage({ searchParams }: Props) {
  const sp = await searchParams;
  const a = one(sp.a);
  const b = one(sp.b);
  const crumbs = <Breadcrumbs items={[{ label: 'Models', href: '/models' }, { label: 'Compare runs' }]} />;
  let resolved: ResolvedComparison | null = null;
  let problem: string | null = null;
  // A run asked for that is not a published run is a 404 (compare/not-found.tsx explains), not a 200 page with a form.
  for (const id of [a, b]) if (id && (!runIdSchema.safeParse(id).success || !(await getPublishedRun(id)))) notFound();
  if (a && b) {
    {
      try {
        resolved = await loadComparison(a, b);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        problem = e.message;
      }
    }
  }
  if (!resolved) {
    return (
      <>
        {crumbs}
        <h1>Compare two runs</h1>
        <p className="lede">
          Two runs of one model (a recomputation with other options or code), or runs of two models with the same number of layers and
          heads. Run ids are on each run page and in every permalink.
        </p>
        {problem ? (
          <p className="notice" role="alert" data-testid="compare-problem">
            {problem}
          </p>
        ) : null}
        <CompareForm a={a} b={b} />
      </>
    );
  }

  const { comparison } = resolved;
  const metricIds = comparison.metrics.map((m) => m.id);
  const wanted = one(sp.metric);
  const metric = metricIds.includes(wanted) ? wanted : metricIds[0];
  const heads = metric
    ? [...comparison.heads].sort((x, y) => Math.abs(y.metrics[metric].diff ?? -1) - Math.abs(x.metrics[metric].diff ?? -1))
    : [];
  const sameModel = resolved.a.model.slug === resolved.b.model.slug;

  return (
    <>
      {crumbs}
      <h1>
        Compare <code>{resolved.a.run.id}</code> and <code>{resolved.b.run.id}</code>
      </h1>
      <p className="lede">
        a = <Link href={runPagePath(resolved.a.run.id)}>{resolved.a.run.id}</Link> ({resolved.a.model.displayName}), b ={' '}
        <Link href={runPagePath(resolved.b.run.id)}>{resolved.b.run.id}</Link> ({resolved.b.model.displayName}).{' '}
        {sameModel ? 'Same model.' : 'Two models with the same shape.'} Differences are b − a.
      </p>
      {comparison.onlyInA.length + comparison.onlyInB.length > 0 ? (
        <p className="small muted">
          Not compared (only in one run):{' '}
          {[...comparison.onlyInA.map((id) => `${id} (a)`), ...comparison.onlyInB.map((id) => `${id} (b)`)].join(', ')}.
        </p>
      ) : null}

      <h2>Per metric</h2>
      <table className="data-table" data-testid="compare-summary">
        <thead>
          <tr>
            <th>Metric</th>
            <th className="num">Versions a / b</th>
            <th className="num">Mean |diff|</th>
            <th className="num">Max |diff|</th>
            <th>At head</th>
            <th className="num">Correlation</th>
          </tr>
        </thead>
        <tbody>
          {comparison.metrics.map((m) => (
            <tr key={m.id}>
              <td>
                <Link href={`/compare${queryString({ a: resolved.a.run.id, b: resolved.b.run.id, metric: m.id })}`}>{m.title}</Link>{' '}
                <code className="small muted">{m.id}</code>
              </td>
              <td className="num">
                {m.versionA} / {m.versionB}
                {m.versionA !== m.versionB ? ' ⚠' : ''}
              </td>
              <td className="num">{formatMetricValue(m.meanAbsDiff)}</td>
              <td className="num">{formatMetricValue(m.maxAbsDiff)}</td>
              <td>{m.maxAbsDiffHead ?? '—'}</td>
              <td className="num">{formatMetricValue(m.correlation)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {metric ? (
        <>
          <h2>
            Per head: {comparison.metrics.find((m) => m.id === metric)?.title} <span className="small muted">(largest change first)</span>
          </h2>
          <table className="data-table" data-testid="compare-heads">
            <thead>
              <tr>
                <th>Head</th>
                <th className="num">a</th>
                <th className="num">b</th>
                <th className="num">b − a</th>
              </tr>
            </thead>
            <tbody>
              {heads.map((h) => {
                const d = h.metrics[metric];
                return (
                  <tr key={h.name}>
                    <td>
                      <Link href={headPath(resolved.a.model.slug, h.layer, h.head, resolved.a.run.id)}>{h.name}</Link>
                    </td>
                    <td className="num">{formatMetricValue(d.a)}</td>
                    <td className="num">{formatMetricValue(d.b)}</td>
                    <td className="num">{signed(d.diff)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
      <p className="api-links">
        As JSON:{' '}
        <a href={`/api/v1/compare${queryString({ a: resolved.a.run.id, b: resolved.b.run.id })}`}>
          /api/v1/compare?a={resolved.a.run.id}&amp;b={resolved.b.run.id}
        </a>
      </p>
      <CompareForm a={a} b={b} />
      <CiteThis
        title={`${resolved.a.model.displayName}: runs ${resolved.a.run.id} and ${resolved.b.run.id} compared`}
        pinnedPath={`/compare${queryString({ a: resolved.a.run.id, b: resolved.b.run.id })}`}
        latestPath={null}
        run={resolved.b.run}
      />
    </>
  );
}
