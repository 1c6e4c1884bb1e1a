import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { DiffCite } from '@/app/components/diffs/DiffCite';
import { DiffContexts } from '@/app/components/diffs/DiffContexts';
import { RankingTable } from '@/app/components/diffs/RankingTable';
import { RunProgress } from '@/app/components/runs/RunProgress';
import { loadDiffDetail } from '@/lib/api/diff-data';
import { getDiffProgress } from '@/lib/db/diff-progress';
import { diffIdSchema, type DiffInfo } from '@/lib/db/diffs';
import type { BlackBoxDiff, WhiteBoxDiff } from '@/lib/diff/types';
import { findDiffTable } from '@/lib/export/diff-tables';
import { formatDate } from '@/lib/format/numbers';
import { modelPath, queryString } from '@/lib/format/paths';

/**
 * `/diffs/{diffId}`: what changed between two models (issue 17). The answer first — which model does better on
 * the corpus and where — then the white box (weights, activations, direct logit attribution, patching) when the
 * two share an architecture. Rendered per request like `/runs/{runId}`: a diff still on the queue shows its progress.
 */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ diffId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Diff ${(await params).diffId}` };
}

export default async function DiffPage({ params }: Props) {
  const { diffId } = await params;
  if (!diffIdSchema.safeParse(diffId).success) notFound();
  const detail = await loadDiffDetail(diffId);
  if (!detail) {
    const progress = await getDiffProgress(diffId);
    if (!progress || progress.status === 'published') notFound();
    return (
      <>
        <Breadcrumbs items={[{ label: 'Diffs', href: '/diffs' }, { label: diffId }]} />
        <h1>
          Diff <code>{diffId}</code>: {progress.modelSlug}
        </h1>
        <p className="lede">Not published: its results appear here when every job has succeeded.</p>
        <RunProgress initial={progress} progressPath="diffs" />
      </>
    );
  }
  const { diff, sections, tables } = detail;
  const bb = sections.blackBox;
  const wb = sections.whiteBox;
  const title = `${diff.a.modelSlug} → ${diff.b.modelSlug}`;
  return (
    <>
      <Breadcrumbs items={[{ label: 'Diffs', href: '/diffs' }, { label: diff.id }]} />
      <h1>
        <span className="model-name">{diff.a.modelSlug}</span> → <span className="model-name">{diff.b.modelSlug}</span>
      </h1>
      {bb ? <Verdict diff={diff} bb={bb} /> : <p className="notice">This diff has no black-box results.</p>}

      {bb ? (
        <>
          <h2 id="b-better">Where {diff.b.modelSlug} does better</h2>
          <DiffContexts contexts={bb.topForB.slice(0, 8)} better="B" testId="contexts-b" />
          <h2 id="a-better">Where {diff.a.modelSlug} does better</h2>
          <DiffContexts contexts={bb.topForA.slice(0, 8)} better="A" testId="contexts-a" />
          <p className="small muted">
            Shaded segments: green where B gives the text more probability, red where A does; hover for both log-probs. All of them:{' '}
            <a href={`/api/v1/diffs/${diff.id}/export/top-contexts.csv`}>top-contexts.csv</a>.
          </p>
        </>
      ) : null}

      {wb ? <WhiteBox diff={diff} wb={wb} /> : <WhiteBoxMissing diff={diff} />}

      {bb && bb.continuations.length > 0 ? (
        <>
          <h2 id="continuations">Greedy continuations</h2>
          <div className="table-scroll" style={{ maxHeight: 'none' }}>
            <table className="data-table" data-testid="continuations">
              <thead>
                <tr>
                  <th scope="col">Prompt</th>
                  <th scope="col">{diff.a.modelSlug}</th>
                  <th scope="col">{diff.b.modelSlug}</th>
                </tr>
              </thead>
              <tbody>
                {bb.continuations.map((c, i) => (
                  <tr key={i}>
                    <td>{c.prompt}</td>
                    <td>{c.a.text}</td>
                    <td>{c.b.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {bb && bb.tasks.length > 0 ? (
        <>
          <h2 id="tasks">Circuit tasks</h2>
          <div className="table-scroll" style={{ maxHeight: 'none' }}>
            <table className="data-table" data-testid="diff-tasks">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Measure</th>
                  <th scope="col">{diff.a.modelSlug}</th>
                  <th scope="col">{diff.b.modelSlug}</th>
                  <th scope="col">B − A</th>
                </tr>
              </thead>
              <tbody>
                {bb.tasks.map((t) =>
                  t.metric === '' ? (
                    // A task neither model can run: why, across the whole row (not squeezed into a column).
                    <tr key={t.task}>
                      <td>{t.title}</td>
                      <td colSpan={4} className="small muted">
                        {t.note ?? 'not run'}
                      </td>
                    </tr>
                  ) : (
                    <tr key={`${t.task}/${t.metric}`}>
                      <td>{t.title}</td>
                      <td>{t.metric}</td>
                      <td>{formatTaskValue(t.a)}</td>
                      <td>{formatTaskValue(t.b)}</td>
                      <td>{t.diff === null ? (t.note ?? '—') : formatTaskValue(t.diff)}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
          <p className="small muted">
            Accuracy: share of clean prompts whose answer beats the wrong token; clean / corrupted: the task&apos;s mean metric (logit
            difference, or probability). Each model builds the prompts with its own tokenizer (lib/circuits).
          </p>
        </>
      ) : null}

      <h2 id="how">How it was computed</h2>
      <dl className="facts" data-testid="diff-facts">
        <dt>A</dt>
        <dd>
          <Link href={modelPath(diff.a.modelSlug)}>{diff.a.modelSlug}</Link>, run <Link href={`/runs/${diff.a.runId}`}>{diff.a.runId}</Link>
        </dd>
        <dt>B</dt>
        <dd>
          <Link href={modelPath(diff.b.modelSlug)}>{diff.b.modelSlug}</Link>, run <Link href={`/runs/${diff.b.runId}`}>{diff.b.runId}</Link>
        </dd>
        <dt>Corpus</dt>
        <dd>
          {diff.corpusSlug}, first {String(diff.options.maxDocuments ?? '?')} documents in {String(diff.options.shards ?? '?')} shard(s)
        </dd>
        {bb ? (
          <>
            <dt>Alignment</dt>
            <dd data-testid="alignment">{bb.alignment.description}</dd>
          </>
        ) : null}
        <dt>Weight processing</dt>
        <dd>{String(diff.options.weightProcessing ?? 'tl')} (applied identically to both)</dd>
        <dt>Published</dt>
        <dd>
          {formatDate(diff.publishedAt)} · code {diff.codeVersion}
        </dd>
      </dl>
      <p className="api-links">
        <Link href={`/compare${queryString({ a: diff.a.runId, b: diff.b.runId })}`}>Head metrics of the two runs side by side →</Link> ·{' '}
        <a href={`/api/v1/diffs/${diff.id}`}>JSON</a>
      </p>

      <h2 id="downloads">Downloads</h2>
      <ul data-testid="diff-downloads">
        {tables.map((t) => (
          <li key={t.id}>
            <a href={t.csv}>{t.id}.csv</a>{' '}
            <span className="small muted">
              ({t.rows} rows) — {t.description}
            </span>
          </li>
        ))}
      </ul>
      <DiffCite title={`What changed from ${title}`} path={`/diffs/${diff.id}`} id={diff.id} kind="diff" published={diff.publishedAt} />
    </>
  );
}

function Verdict({ diff, bb }: { diff: DiffInfo; bb: BlackBoxDiff }) {
  const sameTokens = bb.alignment.method === 'tokens';
  const [la, lb] = sameTokens ? [bb.lossA.lossPerToken, bb.lossB.lossPerToken] : [bb.lossA.natsPerCharacter, bb.lossB.natsPerCharacter];
  const unit = sameTokens ? 'nats per token' : 'nats per character';
  const better = lb < la ? diff.b.modelSlug : la < lb ? diff.a.modelSlug : null;
  return (
    <>
      <p className="lede" data-testid="diff-verdict">
        {better ? (
          <>
            On {bb.documents} documents of {diff.corpusSlug}, <strong>{better}</strong> predicts the text better: loss {la.toFixed(3)} (A)
            vs {lb.toFixed(3)} (B) {unit}.
          </>
        ) : (
          <>
            On {bb.documents} documents of {diff.corpusSlug}, both models have the same loss ({la.toFixed(3)} {unit}).
          </>
        )}{' '}
        Mean log-prob difference per aligned segment (B − A): {bb.meanSegmentDiff.toFixed(3)}, mean absolute{' '}
        {bb.meanAbsSegmentDiff.toFixed(3)}.
      </p>
      <p className="small">{bb.alignment.description}</p>
    </>
  );
}

function WhiteBox({ diff, wb }: { diff: DiffInfo; wb: WhiteBoxDiff }) {
  const weights = findDiffTable('weights')!;
  // The top 3 of each kind (per-token embedding rows would otherwise crowd out heads and neurons); all in the CSV.
  const rows = weights.rows({
    blackBox: null,
    whiteBox: { ...wb, weights: { ...wb.weights, rankings: wb.weights.rankings.map((r) => ({ ...r, top: r.top.slice(0, 3) })) } },
  });
  const activations = findDiffTable('activations')!;
  const dla = findDiffTable('dla')!;
  const dlaRows = dla.rows({ blackBox: null, whiteBox: wb }).sort((x, y) => Math.abs(Number(y[5])) - Math.abs(Number(x[5])));
  const patching = findDiffTable('patching')!;
  const headMetrics = findDiffTable('head-metrics')!;
  const s = { blackBox: null, whiteBox: wb };
  return (
    <>
      <h2 id="weights">Largest weight differences</h2>
      <p className="small">
        Overall relative change ‖B − A‖ / ‖A‖:{' '}
        <strong data-testid="weights-relative">{wb.weights.relative === null ? '–' : wb.weights.relative.toPrecision(3)}</strong> (after the
        same weight processing on both). The 3 largest relative changes of each kind (per head, neuron, token, matrix), all in weights.csv:
      </p>
      <RankingTable header={weights.header} rows={rows} limit={rows.length} testId="weights-table" />
      <h2 id="activations">Largest activation differences</h2>
      <p className="small">
        Mean ‖x_B − x_A‖ over {wb.positions.toLocaleString('en')} positions of the corpus, per head output, neuron and layer output.
      </p>
      <RankingTable header={activations.header} rows={activations.rows(s)} testId="activations-table" />
      <h2 id="dla">Direct logit attribution</h2>
      <RankingTable header={dla.header} rows={dlaRows} testId="dla-table" />
      {wb.patching ? (
        <>
          <h2 id="patching">Which components carry the improvement</h2>
          <p className="small">
            On the text where {wb.patching.source === 'b' ? diff.b.modelSlug : diff.a.modelSlug} does best ({wb.patching.tokens} tokens),
            each component patched from it into the other model. Loss there: {wb.patching.receiverLoss.toFixed(3)} for the other model,{' '}
            {wb.patching.sourceLoss.toFixed(3)} for the better one, {wb.patching.allPatchedLoss.toFixed(3)} with every component patched;
            &ldquo;recovered&rdquo; is the share of the gap one component closes.
          </p>
          <RankingTable header={patching.header} rows={patching.rows(s)} testId="patching-table" />
        </>
      ) : null}
      {wb.headMetrics ? (
        <>
          <h2 id="head-metrics">Head-metric differences</h2>
          <RankingTable header={headMetrics.header} rows={headMetrics.rows(s)} testId="head-metrics-table" />
        </>
      ) : null}
    </>
  );
}

function WhiteBoxMissing({ diff }: { diff: DiffInfo }) {
  return (
    <p className="notice" data-testid="no-white-box">
      {diff.a.modelSlug} and {diff.b.modelSlug} differ in architecture, so only the black box (behaviour on the same text) compares them;
      weights, activations and patching need the same shapes.
    </p>
  );
}

function formatTaskValue(v: number | null): string {
  return v === null ? '—' : v.toFixed(3);
}
