/**
 * The embeddable head card (`/models/{model}/heads/{L}.{H}?embed=1`): the head's name and labels, its best examples
 * and a link back — no site chrome (attention.css hides it on pages holding `.embed-card`), for iframes in slides and
 * papers. Kept within the snippet's height (EmbedSnippet.tsx): three examples at most. A run without stored examples
 * (a quick run, `--max-texts 20`) still shows the head at work: its pattern on the run's example text.
 */
import { notFound } from 'next/navigation';
import { headExists } from '@/lib/api/head-data';
import { toBadge } from '@/lib/api/head-labels-view';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { getHeadExamples } from '@/lib/db/head-examples';
import { getHeadLabels } from '@/lib/db/head-labels';
import { getHeadPattern } from '@/lib/db/head-patterns';
import { headName, parseHeadSlug } from '@/lib/format/head-name';
import { headPath } from '@/lib/format/paths';
import { AttentionViewer } from '../attention/AttentionViewer';
import { viewerFromPattern } from '../attention/viewer-model';
import { ExampleView } from './HeadExamples';
import { HeadBadges } from './HeadBadges';
import '../attention/attention.css';

const SHOWN = 3;

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
  const [byAttention, badges] = await Promise.all([
    getHeadExamples(run.id, ref.layer, ref.head, { kind: 'top_attention', limit: SHOWN }),
    getHeadLabels(run.id, ref).then((labels) => labels.map(toBadge)),
  ]);
  const byNorm = byAttention.length > 0 ? [] : await getHeadExamples(run.id, ref.layer, ref.head, { kind: 'top_norm', limit: SHOWN });
  const examples = byAttention.length > 0 ? byAttention : byNorm;
  const pattern = examples.length > 0 ? null : await getHeadPattern(run.id, ref.layer, ref.head);
  const permalink = headPath(model.slug, ref.layer, ref.head, run.id);
  const what =
    byAttention.length > 0
      ? 'Top examples by attention to a non-BOS token'
      : byNorm.length > 0
        ? 'Top examples by output norm'
        : pattern
          ? "Its attention on the run's example text (this run stored no max-activating examples)"
          : 'This run stored no examples and no attention pattern for this head';
  return (
    <article className="head-embed embed-card" data-testid="head-embed">
      <h1>
        {model.displayName} {name} <HeadBadges badges={badges} compact />
      </h1>
      <p className="small muted">
        {what} · run <code>{run.id}</code> ·{' '}
        <a href={permalink} target="_top">
          open in headwiki
        </a>
      </p>
      {examples.map((ex) => (
        <ExampleView key={ex.rank} ex={ex} label={name} />
      ))}
      {pattern ? <AttentionViewer {...viewerFromPattern(pattern.tokens, pattern.pattern)} label={name} /> : null}
    </article>
  );
}
