import type { Metadata } from 'next';
import Link from 'next/link';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { listPublishedDiffs } from '@/lib/db/diffs';
import { listSeries } from '@/lib/db/checkpoint-series';
import { formatDate } from '@/lib/format/numbers';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Model diffs' };

/** `/diffs`: every published model diff and checkpoint series, newest first. */
export default async function DiffsPage() {
  const [diffs, series] = await Promise.all([listPublishedDiffs({ take: 200 }), listSeries()]);
  return (
    <>
      <Breadcrumbs items={[{ label: 'Diffs' }]} />
      <h1>Model diffs</h1>
      <p className="lede">
        What changed between two models — a base model and its fine-tune, two seeds, two checkpoints: where one predicts the text better,
        and (same architecture) which weights, heads and neurons moved.
      </p>
      <h2 id="series">Checkpoint series</h2>
      {series.length === 0 ? (
        <p className="muted">
          None yet: <code>npm run headwiki -- series --name N --checkpoints a.bin,b.bin,…</code>
        </p>
      ) : (
        <ul data-testid="series-list">
          {series.map((s) => (
            <li key={s.id}>
              <Link href={`/series/${s.id}`}>{s.name}</Link> <span className="small muted">({s.checkpoints} checkpoints)</span>
            </li>
          ))}
        </ul>
      )}
      <h2 id="diffs">Diffs</h2>
      {diffs.length === 0 ? (
        <p className="muted">
          None yet: <code>npm run headwiki -- diff --a &lt;model&gt; --b &lt;model&gt;</code>
        </p>
      ) : (
        <div className="table-scroll" style={{ maxHeight: 'none' }}>
          <table className="data-table" data-testid="diffs-table">
            <thead>
              <tr>
                <th scope="col">Diff</th>
                <th scope="col">A</th>
                <th scope="col">B</th>
                <th scope="col">Corpus</th>
                <th scope="col">Published</th>
              </tr>
            </thead>
            <tbody>
              {diffs.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link href={`/diffs/${d.id}`}>{d.id}</Link>
                  </td>
                  <td>{d.a.modelSlug}</td>
                  <td>{d.b.modelSlug}</td>
                  <td>{d.corpusSlug}</td>
                  <td>{formatDate(d.publishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
