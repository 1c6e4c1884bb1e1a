/**
 * `/models/{model}/layers/{L}`: every neuron of a layer with its statistics, sortable by any column
 * (server-side, plain links: works without JavaScript), each row linking to the neuron page, in pages of
 * NEURON_PAGE_SIZE (`?page=`), so a 6,400-neuron layer weighs what a 100-neuron one does.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { loadNeuronLayer, neuronSortSchema, siteSchema } from '@/lib/api/neuron-data';
import { modelSlugSchema, runIdSchema, sortDirSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { listNeuronStats, type NeuronSortKey } from '@/lib/db/neurons';
import { apiLayerNeuronsPath, layerPath, neuronPath } from '@/lib/format/neuron-paths';
import { modelPath } from '@/lib/format/paths';
import { formatToken } from '@/lib/format/token-display';
import { inertText } from '@/lib/format/inert-text';
import { Breadcrumbs } from '../Breadcrumbs';
import { Pager } from '../Pager';
import { CiteThis } from '../CiteThis';

const COLUMNS: { key: NeuronSortKey; label: string; format: (v: number | null) => string }[] = [
  { key: 'maxAct', label: 'max', format: (v) => (v === null ? '—' : v.toFixed(3)) },
  { key: 'mean', label: 'mean', format: (v) => (v === null ? '—' : v.toFixed(4)) },
  { key: 'variance', label: 'variance', format: (v) => (v === null ? '—' : v.toFixed(4)) },
  { key: 'skewness', label: 'skew', format: (v) => (v === null ? '—' : v.toFixed(2)) },
  { key: 'kurtosis', label: 'kurtosis', format: (v) => (v === null ? '—' : v.toFixed(1)) },
  { key: 'density', label: 'density', format: (v) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`) },
  { key: 'topTokenShare', label: 'top-token share', format: (v) => (v === null ? '—' : `${Math.round(v * 100)} %`) },
  { key: 'minimalRate', label: 'minimal ex.', format: (v) => (v === null ? '—' : `${Math.round(v * 100)} %`) },
];

const INDEX = /^(0|[1-9]\d{0,5})$/;

/** Neurons per page of the layer table. */
export const NEURON_PAGE_SIZE = 100;

export async function LayerNeuronsPage({
  modelSlug,
  runId,
  layerParam,
  query,
}: {
  modelSlug: string;
  runId?: string;
  layerParam: string;
  query: Record<string, string | string[] | undefined>;
}) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  if (!INDEX.test(layerParam)) notFound();
  const first = (k: string) => (Array.isArray(query[k]) ? query[k]![0] : (query[k] as string | undefined));
  // Pages are lenient: a bad ?sort= falls back to the default instead of failing.
  const site = siteSchema.safeParse(first('site') ?? 'post').data ?? 'post';
  const sort = neuronSortSchema.safeParse(first('sort')).data ?? 'maxAct';
  const dir = sortDirSchema.safeParse(first('dir')).data ?? (sort === 'neuron' ? 'asc' : 'desc');
  const layer = Number(layerParam);
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') notFound();
  const { model, run, pinned } = resolved;
  if (layer >= model.nLayers) notFound();
  const scan = await loadNeuronLayer(run, layer, site);
  if (!scan) notFound();
  const pageRun = pinned ? run.id : undefined;
  const pages = Math.max(1, Math.ceil(scan.primary.nNeurons / NEURON_PAGE_SIZE));
  const pageParam = first('page');
  const page = Math.min(pages, pageParam && /^[1-9]\d{0,5}$/.test(pageParam) ? Number(pageParam) : 1);
  const offset = (page - 1) * NEURON_PAGE_SIZE;
  const rows = await listNeuronStats(run.id, scan.primary.corpusSlug, layer, site, { sort, dir, limit: NEURON_PAGE_SIZE, offset });
  const header = (key: NeuronSortKey, label: string) => {
    const active = key === sort;
    const nextDir = active ? (dir === 'asc' ? 'desc' : 'asc') : key === 'neuron' ? 'asc' : 'desc';
    return (
      <th key={key} aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <Link href={layerPath(model.slug, layer, pageRun, { site, sort: key, dir: nextDir })}>
          {label}
          {active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
        </Link>
      </th>
    );
  };
  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug, pageRun) },
          { label: `Layer ${layer}` },
        ]}
      />
      <h1>
        {model.displayName} · layer {layer} neurons
      </h1>
      <p className="small muted">
        {scan.primary.nNeurons} neurons{pages > 1 ? ` (${offset + 1}–${offset + rows.length} shown)` : ''} of{' '}
        <code>
          blocks.{layer}.mlp.hook_{site}
        </code>{' '}
        on <code>{scan.primary.corpusSlug}</code> ({scan.primary.tokens.toLocaleString('en')} tokens) · run <code>{run.id}</code> ·{' '}
        <a href={apiLayerNeuronsPath(model.slug, layer, run.id, site)}>JSON</a> ·{' '}
        {layer > 0 ? <Link href={layerPath(model.slug, layer - 1, pageRun, { site })}>← layer {layer - 1}</Link> : null}{' '}
        {layer + 1 < model.nLayers ? <Link href={layerPath(model.slug, layer + 1, pageRun, { site })}>layer {layer + 1} →</Link> : null}
      </p>
      {scan.sites.length > 1 ? (
        <p className="small" data-testid="site-switch">
          Site:{' '}
          {scan.sites.map((s) => (
            <span key={s}>
              {s === site ? (
                <strong>{s}</strong>
              ) : (
                <Link href={layerPath(model.slug, layer, pageRun, { site: s, sort, dir })}>{s}</Link>
              )}{' '}
            </span>
          ))}
          <span className="muted">(TransformerLens mlp.hook_pre / hook_mid / hook_post)</span>
        </p>
      ) : null}
      <p className="prose small muted">
        Click a column to sort. Random directions in this layer&apos;s activation space score, on average: max{' '}
        {scan.primary.baseline.stats.max?.mean.toFixed(3)}, kurtosis {scan.primary.baseline.stats.kurtosis?.mean.toFixed(1)}, top-token
        share {Math.round((scan.primary.baseline.stats.topTokenShare?.mean ?? 0) * 100)} %.
      </p>
      <table className="neuron-table" data-testid="neuron-table">
        <thead>
          <tr>
            {header('neuron', 'neuron')}
            {COLUMNS.map((c) => header(c.key, c.label))}
            <th>top input token</th>
            <th>boosts</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.neuron} className={r.warning ? 'neuron-row-warning' : undefined}>
              <td>
                <Link href={neuronPath(model.slug, layer, r.neuron, pageRun, site)}>
                  L{layer}N{r.neuron}
                </Link>
                {r.warning ? <span title={r.warning}> ⚠</span> : null}
              </td>
              {COLUMNS.map((c) => (
                <td key={c.key} className="num">
                  {c.format((r as unknown as Record<string, number | null>)[c.key])}
                </td>
              ))}
              <td>
                <code>{inertText(formatToken(r.effects.inputTop[0]?.piece ?? '').text)}</code>
              </td>
              <td>
                <code>{inertText(formatToken(r.effects.logitTop[0]?.piece ?? '').text)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager
        page={page}
        pages={pages}
        href={(p) => layerPath(model.slug, layer, pageRun, { site, sort, dir, page: p > 1 ? p : undefined })}
        label="Pages of neurons"
        testId="neuron-pager"
      />

      <CiteThis
        title={`${model.displayName} layer ${layer} MLP neurons`}
        pinnedPath={layerPath(model.slug, layer, run.id, { site })}
        run={run}
      />
    </>
  );
}
