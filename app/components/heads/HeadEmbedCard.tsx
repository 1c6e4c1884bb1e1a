/**
 * The embeddable head card (`/models/{model}/heads/{L}.{H}?embed=1`): the head's name, its best examples and a
 * link back — no site header or footer (attention.css hides them on pages holding `.head-embed`), for iframes in
 * slides and papers.
 */
import { notFound } from 'next/navigation';
import { headExists } from '@/lib/api/head-data';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { getHeadExamples } from '@/lib/db/head-examples';
import { headName, parseHeadSlug } from '@/lib/format/head-name';
import { headPath } from '@/lib/format/paths';
import { ExampleView } from './HeadExamples';
import '../attention/attention.css';

export async function HeadEmbedCard({ modelSlug, runId, headParam }: { modelSlug: string; runId?: string; headParam: string }) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  let decoded = headParam;
  try {
    decoded = decodeURIComponent(headParam);
  } catch {
    /* a malformed escape is just a bad head name */
  }
  const ref = parseHeadSlug(decoded);
  if (!ref) notFound();
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok' || !headExists(resolved.model, ref.layer, ref.head)) notFound();
  const { model, run } = resolved;
  const name = headName(ref.layer, ref.head);
  const examples = await getHeadExamples(run.id, ref.layer, ref.head, { kind: 'top_attention', limit: 3 });
  const permalink = headPath(model.slug, ref.layer, ref.head, run.id);
  return (
    <article className="head-embed" data-testid="head-embed">
      <h1>
        {model.displayName} {name}
      </h1>
      <p className="small muted">
        Top examples by attention to a non-BOS token · run <code>{run.id}</code> ·{' '}
        <a href={permalink} target="_top">
          open in headwiki
        </a>
      </p>
      {examples.length === 0 ? <p className="notice">No examples stored for this run.</p> : null}
      {examples.map((ex) => (
        <ExampleView key={ex.rank} ex={ex} label={name} />
      ))}
    </article>
  );
}
