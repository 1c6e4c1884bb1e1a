/**
 * The model page, shared by `/models/{model}` (latest published run) and
 * `/runs/{runId}/models/{model}` (pinned): header, head table, one heatmap per registry metric.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { loadHeadTable } from '@/lib/api/head-data';
import { heatmapCells } from './heatmap-cells';
import { modelSlugSchema, parseHeadsQuery, queryValue, runIdSchema, type RawQuery } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { getLatestPublishedRun } from '@/lib/db/runs';
import { formatDate } from '@/lib/format/numbers';
import { apiHeadsPath, modelPath } from '@/lib/format/paths';
import { layerPath } from '@/lib/format/neuron-paths';
import { Breadcrumbs } from './Breadcrumbs';
import { CiteThis } from './CiteThis';
import { HeadTable, type HeadTableQuery } from './HeadTable';
import { BadgeLegend } from './heads/HeadBadges';
import { headTablePage } from './head-table-page';
import { MetricHeatmap } from './MetricHeatmap';
import { ModelFacts } from './ModelFacts';
import { getHeadLabels } from '@/lib/db/head-labels';
import { badgesByHead, LABEL_THRESHOLDS } from '@/lib/api/head-labels-view';
import { comparePlantedToDetected, plantedTruthOf } from '@/lib/models/planted-truth';
import { PlantedTruthPanel } from './PlantedTruthPanel';
import { getHeadRoles } from '@/lib/db/circuits';
import { roleColumns } from '@/lib/api/head-role-columns';
import { circuitsPath } from '@/lib/api/circuit-roles-view';

export async function ModelPage({ modelSlug, runId, searchParams }: { modelSlug: string; runId?: string; searchParams: RawQuery }) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status === 'unknown-model' || resolved.status === 'unknown-run') notFound();

  const model = resolved.model;
  const crumbs = <Breadcrumbs items={[{ label: 'Models', href: '/models' }, { label: model.displayName }]} />;
  if (resolved.status === 'no-published-run') {
    return (
      <>
        {crumbs}
        <h1>{model.displayName}</h1>
        {model.description ? <p className="lede">{model.description}</p> : null}
        <ModelFacts model={model} run={null} />
        <p className="notice">No run of this model has been published yet, so there are no head metrics to show.</p>
      </>
    );
  }

  const { run, pinned } = resolved;
  const { metrics, rows } = await loadHeadTable(model, run);
  const metricIds = metrics.map((m) => m.id);
  const { query, problems } = parseHeadsQuery(searchParams, metricIds, 'lenient');
  let layer = query.layer;
  if (layer !== undefined && layer >= model.nLayers) {
    problems.push(`layer: this model has layers 0–${model.nLayers - 1} (got ${layer})`);
    layer = undefined;
  }
  const initial: HeadTableQuery = { sort: query.sort, dir: query.dir, layer, min: query.min };
  const latest = pinned ? await getLatestPublishedRun(model.slug) : null;
  const pagePath = modelPath(model.slug, pinned ? run.id : undefined);
  const headHrefPrefix = `${pagePath}/heads/`;
  const tableMetrics = metrics.map((m) => ({ id: m.id, title: m.title, summary: m.summary, range: m.range }));
  const roles = roleColumns(await getHeadRoles(run.id));
  const dims = { nLayers: model.nLayers, nHeads: model.nHeads };
  const table = headTablePage(rows, metricIds, initial, queryValue(searchParams, 'page'));
  // Badges of the heads in the table only: the table is a client component, and its props ride in the page.
  const runLabels = await getHeadLabels(run.id);
  const allLabels = badgesByHead(runLabels);
  const planted = plantedTruthOf(model.config);
  const rowByHead = new Map(rows.map((r) => [`${r.layer}:${r.head}`, r]));
  const plantedRows = planted
    ? comparePlantedToDetected(planted, runLabels, (l, h, metricId) => rowByHead.get(`${l}:${h}`)?.values[metricId] ?? null)
    : null;
  const labels = Object.fromEntries(table.rows.filter((r) => allLabels[r.name]).map((r) => [r.name, allLabels[r.name]]));
  const cells = heatmapCells(metricIds, rows, dims, { modelSlug: model.slug, runId: run.id });

  return (
    <>
      {crumbs}
      <h1>{model.displayName}</h1>
      {model.description ? <p className="lede">{model.description}</p> : null}
      <ModelFacts model={model} run={run} />
      {pinned ? (
        <p className="small muted">
          This page is pinned to run <code>{run.id}</code> (published {formatDate(run.publishedAt)}).{' '}
          {latest && latest.id !== run.id ? (
            <>
              A newer run exists: <Link href={modelPath(model.slug)}>see the latest ({latest.id}) →</Link>
            </>
          ) : (
            <>It is the latest published run.</>
          )}
        </p>
      ) : (
        <p className="small muted">
          Showing the latest published run, <code>{run.id}</code> (published {formatDate(run.publishedAt)}). Use the permalink below to cite
          these exact numbers.
        </p>
      )}
      {problems.length > 0 ? (
        <p className="notice" role="status">
          Some parameters in the address were ignored: {problems.join('; ')}.
        </p>
      ) : null}

      {model.dMlp > 0 ? (
        <p className="small" data-testid="neuron-layers">
          MLP neurons ({model.dMlp} per layer):{' '}
          {Array.from({ length: model.nLayers }, (_, l) => (
            <span key={l}>
              <Link href={layerPath(model.slug, l, pinned ? run.id : undefined)}>layer {l}</Link>{' '}
            </span>
          ))}
        </p>
      ) : null}

      {plantedRows ? <PlantedTruthPanel rows={plantedRows} modelSlug={model.slug} runId={pinned ? run.id : undefined} /> : null}

      <h2 id="heads">Heads</h2>
      <p className="prose">
        One row per attention head, named <code>L&#123;layer&#125;H&#123;head&#125;</code> as in TransformerLens. Click a column to sort;
        hover a metric&apos;s name for its definition in a sentence, or open a head for its attention pattern.
      </p>
      {metrics.length === 0 ? (
        <p className="notice">This run stored no head metrics.</p>
      ) : (
        <HeadTable
          metrics={tableMetrics}
          rows={table.rows}
          paging={table.paging}
          nLayers={model.nLayers}
          pagePath={pagePath}
          headHrefPrefix={headHrefPrefix}
          initial={initial}
          labels={labels}
          thresholds={LABEL_THRESHOLDS}
          defaultColumns={DEFAULT_COLUMNS}
          roles={roles.columns.length > 0 ? roles : undefined}
        />
      )}
      {Object.keys(labels).length > 0 ? <BadgeLegend /> : null}
      <p className="api-links">
        Data: <a href={apiHeadsPath(model.slug, { runId: run.id })}>JSON</a> ·{' '}
        <a href={apiHeadsPath(model.slug, { runId: run.id, format: 'csv' })}>CSV</a>{' '}
        <span className="muted">
          (reads directly with <code>pandas.read_csv</code>)
        </span>{' '}
        · Run{' '}
        <a href={`/runs/${run.id}`} data-testid="run-page-link">
          {run.id}
        </a>{' '}
        (how it was computed, bulk export) · <a href={`${modelPath(model.slug)}/runs`}>all runs</a> ·{' '}
        <Link href={`${pagePath}/composition`} data-testid="composition-link">
          composition between heads
        </Link>{' '}
        ·{' '}
        <Link href={circuitsPath(model.slug, pinned ? run.id : undefined)} data-testid="circuits-link">
          circuits and roles
        </Link>{' '}
        · <Link href={`${modelPath(model.slug)}/attention`}>every head on your own text</Link> ·{' '}
        <Link href={`${modelPath(model.slug)}/attention?pattern=previous`}>find heads by an attention pattern</Link>
      </p>

      {metrics.length > 0 ? (
        <>
          <h2 id="heatmaps">Heatmaps</h2>
          <p className="prose small muted">
            Layers as rows, heads as columns. Colours span the metric&apos;s full range, so maps compare across models — except maps whose
            values fill less than a quarter of it, stretched to this model&apos;s values so they do not look blank; the legend under each
            map gives its scale, and <em>full range</em> / <em>this model</em> sets every map at once (remembered). Click a cell to open the
            head; in a map, arrow keys move between cells.
          </p>
          <div className="heatmaps">
            {tableMetrics.map((m, i) => (
              <MetricHeatmap key={m.id} metric={m} {...cells[i]} headHrefPrefix={headHrefPrefix} />
            ))}
          </div>
        </>
      ) : null}

      <CiteThis title={`${model.displayName}: attention heads`} pinnedPath={modelPath(model.slug, run.id)} run={run} />
    </>
  );
}

/** Columns the head table shows at first (the column chooser shows the rest). */
const DEFAULT_COLUMNS = ['previous_token', 'duplicate_token', 'induction', 'prefix_matching', 'copying_full', 'direct_logit_attribution'];
