import type { Metadata } from 'next';
import Link from 'next/link';
import { listModels } from '@/lib/db/models';
import { formatDate, formatParamCount } from '@/lib/format/numbers';
import { modelPath } from '@/lib/format/paths';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Models' };

export default async function ModelsPage() {
  const models = await listModels();
  return (
    <>
      <Breadcrumbs items={[{ label: 'Models' }]} />
      <h1>Models</h1>
      <p className="lede">
        Every model with its attention heads measured. Open a model for its head table and heatmaps; each number links to the published run
        that produced it.
      </p>
      {models.length === 0 ? (
        <p className="notice">
          No models yet. Publish one with <code>npm run headwiki -- publish</code>.
        </p>
      ) : (
        <div className="table-scroll" style={{ maxHeight: 'none' }}>
          <table className="data-table" data-testid="models-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Architecture</th>
                <th scope="col" className="num" title="n_layers × n_heads">
                  Layers × heads
                </th>
                <th scope="col" className="num tl">
                  d_model
                </th>
                <th scope="col" className="num">
                  Params
                </th>
                <th scope="col">Latest published run</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.slug} data-testid="model-row">
                  <th scope="row">
                    <Link className="model-name" href={modelPath(m.slug)}>
                      {m.displayName}
                    </Link>
                    {m.description ? (
                      <div className="small muted" style={{ fontWeight: 400 }}>
                        {m.description}
                      </div>
                    ) : null}
                  </th>
                  <td>{m.architecture}</td>
                  <td className="num">
                    {m.nLayers} × {m.nHeads}
                    {m.nKvHeads > 0 && m.nKvHeads < m.nHeads ? <span className="muted small"> ({m.nKvHeads} kv)</span> : null}
                  </td>
                  <td className="num">{m.dModel}</td>
                  <td className="num" title={`${m.nParams.toLocaleString('en-US')} parameters`}>
                    {formatParamCount(m.nParams)}
                  </td>
                  <td>
                    {m.latestRun ? (
                      <>
                        <Link href={modelPath(m.slug, m.latestRun.id)}>
                          <code>{m.latestRun.id}</code>
                        </Link>{' '}
                        <span className="muted small">{formatDate(m.latestRun.publishedAt)}</span>
                      </>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="api-links" style={{ marginTop: '1rem' }}>
        As JSON: <a href="/api/v1/models">/api/v1/models</a>
      </p>
    </>
  );
}
