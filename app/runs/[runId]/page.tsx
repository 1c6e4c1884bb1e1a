import type { Metadata } from 'next';
import Link from 'next/link';
import { estimateExportSizes, formatApproxBytes } from '@/lib/export/size-estimate';
import { findExportTable } from '@/lib/export/tables';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { CiteThis } from '@/app/components/CiteThis';
import { RunFacts } from '@/app/components/RunFacts';
import { RunProgress } from '@/app/components/runs/RunProgress';
import { getRunProgress } from '@/lib/db/run-progress';
import { runIdSchema } from '@/lib/api/params';
import { loadRunDetail } from '@/lib/api/run-detail';
import { formatDate } from '@/lib/format/numbers';
import { modelPath, queryString } from '@/lib/format/paths';

/** `/runs/{runId}`: what a run is (model, corpus, options, versions, times), what it computed, and its files. */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ runId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Run ${(await params).runId}` };
}

export default async function RunPage({ params }: Props) {
  const { runId } = await params;
  if (!runIdSchema.safeParse(runId).success) notFound();
  const detail = await loadRunDetail(runId);
  if (!detail) {
    // Not published (yet): a run still on the work queue, or a failed one, shows its progress and error.
    const progress = await getRunProgress(runId);
    if (!progress || progress.status === 'published') notFound();
    return (
      <>
        <Breadcrumbs
          items={[
            { label: 'Models', href: '/models' },
            { label: progress.modelSlug, href: modelPath(progress.modelSlug) },
            { label: runId },
          ]}
        />
        <h1>
          Run <code>{runId}</code>
        </h1>
        <p className="lede">Not published: its pages appear here when every job has succeeded.</p>
        <RunProgress initial={progress} />
      </>
    );
  }
  const { run, model, tables, latestRunId, links } = detail;
  // About how large each download is (a sample of rows × the row count), so a reader knows before clicking.
  const sizes = new Map(
    await Promise.all(
      tables.map(async (t) => {
        const table = findExportTable(t.id);
        return [t.id, table ? await estimateExportSizes(table, run.id, t.rows) : { csv: 0, jsonl: 0 }] as const;
      }),
    ),
  );
  const isLatest = latestRunId === run.id;
  const runProgress = await getRunProgress(runId);

  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug) },
          { label: 'Runs', href: `${modelPath(model.slug)}/runs` },
          { label: run.id },
        ]}
      />
      <h1>
        Run <code>{run.id}</code>
      </h1>
      <p className="lede">
        One analysis of {model.displayName}, published {formatDate(run.publishedAt)}. Published runs never change: every page and API
        response pinned to <code>{run.id}</code> shows these exact numbers forever.
      </p>
      <p className="small">
        {isLatest ? (
          <>This is the latest published run of {model.displayName}.</>
        ) : (
          <>
            A newer run of {model.displayName} exists: <Link href={`/runs/${latestRunId}`}>{latestRunId}</Link> ·{' '}
            <Link href={`/compare${queryString({ a: run.id, b: latestRunId })}`} data-testid="compare-latest">
              compare this run with it →
            </Link>
          </>
        )}
      </p>
      <p className="api-links">
        <Link href={links.pinnedModelPage} data-testid="pinned-model-page">
          Head table of this run →
        </Link>{' '}
        · <Link href={links.latestModelPage}>latest head table</Link> ·{' '}
        <Link href={`${modelPath(model.slug)}/runs`}>all runs of this model</Link>
      </p>

      <h2>How it was computed</h2>
      <RunFacts run={run} model={model} />

      {runProgress?.queued ? (
        <details>
          <summary>Jobs and workers ({runProgress.jobs.total} jobs on the work queue)</summary>
          <RunProgress initial={runProgress} />
        </details>
      ) : null}

      <h2>What it computed</h2>
      <table className="data-table" data-testid="run-tables">
        <thead>
          <tr>
            <th>Table</th>
            <th className="num">Rows</th>
            <th>Download</th>
          </tr>
        </thead>
        <tbody>
          {tables.map((t) => (
            <tr key={t.id}>
              <td>
                {t.title} <code className="small muted">{t.id}</code>
                <div className="small muted">{t.description}</div>
              </td>
              <td className="num">{t.rows.toLocaleString('en-US')}</td>
              <td>
                <a href={t.csv}>CSV</a> <span className="small muted">{formatApproxBytes(sizes.get(t.id)?.csv ?? 0)}</span> ·{' '}
                <a href={t.jsonl}>JSONL</a> <span className="small muted">{formatApproxBytes(sizes.get(t.id)?.jsonl ?? 0)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">
        In Python: <code>pd.read_csv(&quot;{tables[0]?.csv}&quot;)</code> (prefix the site&apos;s address). As JSON:{' '}
        <a href={`/api/v1/runs/${run.id}`}>/api/v1/runs/{run.id}</a> · <Link href="/docs/api">API documentation</Link>
      </p>

      <CiteThis
        title={`${model.displayName}: headwiki run ${run.id}`}
        pinnedPath={links.runPage}
        latestPath={links.latestModelPage}
        run={run}
      />
    </>
  );
}
