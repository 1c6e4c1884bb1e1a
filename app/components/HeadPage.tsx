/**
 * The head page, shared by `/models/{model}/heads/{L}.{H}` and its run-pinned twin: the head's
 * metric values with definitions and ranks, its attention pattern on the run's example text,
 * and where it sits in the model. Anything malformed or absent is a 404, never a 500.
 */
import { roundAttentionForPage } from '@/lib/format/numbers';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { headExists, loadHeadDetail, loadHeadTable } from '@/lib/api/head-data';
import { heatmapCells } from './heatmap-cells';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { headName, neighbourHeads, parseHeadSlug } from '@/lib/format/head-name';
import { apiHeadPath, headPath, modelPath } from '@/lib/format/paths';
import { AttentionPattern } from './AttentionPattern';
import { Breadcrumbs } from './Breadcrumbs';
import { CiteThis } from './CiteThis';
import { MetricHeatmap } from './MetricHeatmap';
import { CustomTextSection } from './attention/CustomTextSection';
import { HeadExamples } from './heads/HeadExamples';
import { HeadLabelsSection } from './heads/HeadLabelsSection';
import { CompositionPartners } from './heads/CompositionPartners';
import { SimilarHeads } from './heads/SimilarHeads';
import { HeadMetricTable } from './heads/HeadMetricTable';
import { EmbedSnippet } from './heads/EmbedSnippet';
import { getHeadLabels } from '@/lib/db/head-labels';
import { toBadge } from '@/lib/api/head-labels-view';
import { headSummary } from '@/lib/api/head-summary';
import { getHeadRoles } from '@/lib/db/circuits';
import { literatureFor } from '@/lib/literature/heads';
import { judgeClaim } from '@/lib/literature/verdict';
import { HeadRolesSection } from './heads/HeadRolesSection';
import { LiteratureSection } from './heads/LiteratureSection';

/** `customText`: the page's `?text=` (the no-JS custom-text form), run live on the server. */
export async function HeadPage({
  modelSlug,
  runId,
  headParam,
  customText,
}: {
  modelSlug: string;
  runId?: string;
  headParam: string;
  customText?: string;
}) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  const ref = parseHeadSlug(safeDecode(headParam));
  if (!ref) notFound();
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') notFound();
  const { model, run, pinned } = resolved;
  if (!headExists(model, ref.layer, ref.head)) notFound();

  const table = await loadHeadTable(model, run);
  const detail = await loadHeadDetail(model, run, ref.layer, ref.head, table);
  const pageRun = pinned ? run.id : undefined;
  const { prev, next } = neighbourHeads(ref, model.nLayers, model.nHeads);
  const name = detail.name;
  const grouped = model.nKvHeads > 0 && model.nKvHeads < model.nHeads;
  const dims = { nLayers: model.nLayers, nHeads: model.nHeads };
  const cells = heatmapCells(
    table.metrics.map((m) => m.id),
    table.rows,
    dims,
    { modelSlug: model.slug, runId: run.id },
  );

  const badges = (await getHeadLabels(run.id, { layer: ref.layer, head: ref.head })).map(toBadge);
  const summary = headSummary(name, badges, detail.metrics);
  // Circuit roles (issue 19) and what published work says about this head, judged against this run.
  const headRoles = await getHeadRoles(run.id, ref);
  const claims = literatureFor(model.slug, ref.layer, ref.head);
  const judged = claims.length > 0 ? await judgeLiterature(run.id, claims) : [];
  const sections = [
    ['labels', 'Labels'],
    ['roles', 'Circuit roles'],
    ...(judged.length > 0 ? [['literature', 'In the literature']] : []),
    ['pattern', 'Attention pattern'],
    ['metrics', 'Metrics'],
    ['examples', 'Max-activating examples'],
    ['try', 'Your own text'],
    ['composition', 'Composition partners'],
    ['similar', 'Similar heads'],
    ...(table.metrics.length > 0 ? [['context', 'Among the other heads']] : []),
    ['cite', 'Cite and embed'],
  ];

  return (
    <>
      <Breadcrumbs
        items={[{ label: 'Models', href: '/models' }, { label: model.displayName, href: modelPath(model.slug, pageRun) }, { label: name }]}
      />
      <nav className="head-nav" aria-label="Neighbouring heads">
        <span>
          {prev ? (
            <Link href={headPath(model.slug, prev.layer, prev.head, pageRun)} rel="prev">
              ← {headName(prev.layer, prev.head)}
            </Link>
          ) : null}
        </span>
        <span>
          {next ? (
            <Link href={headPath(model.slug, next.layer, next.head, pageRun)} rel="next">
              {headName(next.layer, next.head)} →
            </Link>
          ) : null}
        </span>
      </nav>
      <div className="head-title">
        <h1 data-testid="head-name">{name}</h1>
        <span className="muted">
          layer {ref.layer}, head {ref.head} of <Link href={modelPath(model.slug, pageRun)}>{model.displayName}</Link>
          {grouped ? (
            <>
              {' '}
              · reads key/value head {detail.kvHead} (shared by {model.nHeads / model.nKvHeads} query heads)
            </>
          ) : null}
        </span>
      </div>
      <div className="head-summary lede" data-testid="head-summary">
        {summary.map((sentence) => (
          <span key={sentence}>{sentence} </span>
        ))}
      </div>
      <nav className="toc small" aria-label="On this page" data-testid="head-toc">
        <span className="muted">On this page:</span>
        <ol>
          {sections.map(([id, title]) => (
            <li key={id}>
              <a href={`#${id}`}>{title}</a>
            </li>
          ))}
        </ol>
      </nav>
      <p className="small muted">
        Hook:{' '}
        <code>
          blocks.{ref.layer}.attn.hook_pattern[:, {ref.head}]
        </code>{' '}
        · run <code>{run.id}</code>
        {pinned ? ' (pinned)' : ' (latest)'} · <a href={apiHeadPath(model.slug, ref.layer, ref.head, run.id)}>JSON</a>
      </p>

      <h2 id="labels">Labels</h2>
      <HeadLabelsSection labels={badges} />

      <h2 id="roles">Circuit roles</h2>
      <HeadRolesSection roles={headRoles} modelSlug={model.slug} pageRun={pageRun} />
      {judged.length > 0 ? (
        <>
          <h2 id="literature">In the literature</h2>
          <LiteratureSection claims={judged} />
        </>
      ) : null}

      <h2 id="pattern">Attention pattern</h2>
      {detail.pattern ? (
        <>
          <p className="prose small muted">
            On the run&apos;s example text ({detail.pattern.tokens.length} tokens, BOS included). Each row of the pattern sums to 1.
          </p>
          <AttentionPattern tokens={detail.pattern.tokens} pattern={roundAttentionForPage(detail.pattern.pattern)} headLabel={name} />
        </>
      ) : (
        <p className="notice">This run stored no attention pattern for this head.</p>
      )}

      <h2 id="metrics">Metrics</h2>
      {detail.metrics.length === 0 ? (
        <p className="notice">This run stored no head metrics.</p>
      ) : (
        <>
          <p className="prose small muted">
            Open a metric for its definition and source. Rank 1 = the highest value among this model&apos;s heads.
          </p>
          <HeadMetricTable metrics={detail.metrics} />
        </>
      )}

      <h2 id="examples">Max-activating examples</h2>
      <HeadExamples runId={run.id} modelSlug={model.slug} layer={ref.layer} head={ref.head} label={name} />

      <h2 id="try">Try your own text</h2>
      <CustomTextSection
        modelSlug={model.slug}
        layer={ref.layer}
        head={ref.head}
        label={name}
        pagePath={headPath(model.slug, ref.layer, ref.head, pageRun)}
        text={customText}
        defaultText="Once upon a time, there was a little cat. The little cat liked to play."
      />
      <p className="small">
        <Link href={`${modelPath(model.slug)}/attention${customText ? `?text=${encodeURIComponent(customText)}` : ''}`} prefetch={false}>
          Every head of {model.displayName} on your text →
        </Link>
      </p>

      <h2 id="composition">Composition partners</h2>
      <CompositionPartners runId={run.id} modelSlug={model.slug} pageRun={pageRun} layer={ref.layer} head={ref.head} />
      <p className="small muted">
        <Link href={`${modelPath(model.slug, pageRun)}/composition`}>All heads × heads composition matrices →</Link>
      </p>

      <h2 id="similar">Similar heads</h2>
      <SimilarHeads
        rows={table.rows}
        metricIds={table.metrics.map((m) => m.id)}
        layer={ref.layer}
        head={ref.head}
        modelSlug={model.slug}
        pageRun={pageRun}
      />

      {table.metrics.length > 0 ? (
        <>
          <h2 id="context">Among the other heads</h2>
          <p className="prose small muted">{name} is outlined in red.</p>
          <div className="heatmaps">
            {table.metrics.map((m, i) => (
              <MetricHeatmap
                key={m.id}
                metric={{ id: m.id, title: m.title, summary: m.summary, range: m.range }}
                {...cells[i]}
                headHrefPrefix={`${modelPath(model.slug, pageRun)}/heads/`}
                highlight={ref}
                width={260}
              />
            ))}
          </div>
        </>
      ) : null}

      <h2 id="cite">Cite and embed</h2>
      <EmbedSnippet path={`${headPath(model.slug, ref.layer, ref.head, run.id)}?embed=1`} title={`${model.displayName} ${name}`} />
      <CiteThis
        title={`${model.displayName} attention head ${name}`}
        pinnedPath={headPath(model.slug, ref.layer, ref.head, run.id)}
        run={run}
      />
    </>
  );
}

/** Claims judged against the run's roles and labels of every head (a label's absence is a measured "no"). */
async function judgeLiterature(runId: string, claims: ReturnType<typeof literatureFor>) {
  const [roles, labels] = await Promise.all([getHeadRoles(runId), getHeadLabels(runId)]);
  return claims.map((c) => judgeClaim(c, roles, labels));
}

/** Route segments may arrive percent-encoded; a malformed escape is just a bad head name (404). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
