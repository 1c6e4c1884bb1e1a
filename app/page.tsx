import Link from 'next/link';
import { listModels } from '@/lib/db/models';
import { formatParamCount } from '@/lib/format/numbers';
import { modelPath } from '@/lib/format/paths';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const models = (await listModels()).filter((m) => m.latestRun);
  return (
    <div>
      <h1>headwiki</h1>
      <p className="lede">
        A wiki of attention heads. For every head of a transformer language model: how strongly it behaves as a previous-token,
        duplicate-token or induction head, its attention pattern on real text, and the paper each measure comes from — with TransformerLens
        names, so every number can be checked in a notebook.
      </p>
      {models.length > 0 ? (
        <div className="card-links">
          {models.map((m) => (
            <Link key={m.slug} href={modelPath(m.slug)}>
              <strong>{m.displayName}</strong>
              <span className="small muted">
                {m.architecture} · {m.nLayers} layers × {m.nHeads} heads · {formatParamCount(m.nParams)} parameters
              </span>
            </Link>
          ))}
        </div>
      ) : null}
      <p>
        <Link href="/models">All models →</Link> · <Link href="/metrics">How the heads are measured →</Link>
      </p>
    </div>
  );
}
