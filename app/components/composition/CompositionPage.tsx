/**
 * The composition view of a model's run (`/models/{model}/composition`, pinned twin under /runs):
 * one heads × heads matrix per kind (Q, K, V), each against its random-matrix baseline, and the
 * strongest pairs as a table. A small model's matrices are SVG cells; past COMPOSITION_DOM_CELLS cells
 * each matrix is one image of the run (composition/[file]/route.ts), and the page reads only the top pairs,
 * so a 1,200-head model (2.1 M pairs) weighs what a 40-head one does.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { compositionImagePath, drawsCompositionCells } from '@/lib/api/composition-view';
import { getCompositionBaselines, getHeadComposition, getTopHeadComposition, type CompositionKind } from '@/lib/db/head-composition';
import { headName } from '@/lib/format/head-name';
import { headPath, modelPath } from '@/lib/format/paths';
import { Breadcrumbs } from '../Breadcrumbs';
import { CiteThis } from '../CiteThis';
import { CompositionMatrix } from './CompositionMatrix';

const KINDS: { kind: CompositionKind; title: string; what: string }[] = [
  { kind: 'q', title: 'Q-composition', what: "the earlier head's output feeds the later head's queries: ‖W_OV W_QK‖ / (‖W_OV‖ ‖W_QK‖)" },
  {
    kind: 'k',
    title: 'K-composition',
    what: "the earlier head's output feeds the later head's keys (induction heads K-compose with previous-token heads): ‖W_OV W_QKᵀ‖ / (‖W_OV‖ ‖W_QK‖)",
  },
  { kind: 'v', title: 'V-composition', what: "the earlier head's output feeds the later head's values: ‖W_OV¹ W_OV²‖ / (‖W_OV¹‖ ‖W_OV²‖)" },
];

export async function CompositionPage({ modelSlug, runId }: { modelSlug: string; runId?: string; query?: Record<string, string> }) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') notFound();
  const { model, run, pinned } = resolved;
  const pageRun = pinned ? run.id : undefined;
  const dom = drawsCompositionCells(model.nLayers, model.nHeads);
  const [scores, baselines, tops] = await Promise.all([
    dom ? getHeadComposition(run.id) : Promise.resolve(null),
    getCompositionBaselines(run.id),
    Promise.all(KINDS.map(({ kind }) => getTopHeadComposition(run.id, kind, 5))),
  ]);
  const headHrefPrefix = `${modelPath(model.slug, pageRun)}/heads/`;

  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug, pageRun) },
          { label: 'Composition' },
        ]}
      />
      <h1>Composition between heads</h1>
      <p className="prose">
        How much a later head reads what an earlier head writes, from the weights alone (Elhage et al. 2021, &quot;A Mathematical Framework
        for Transformer Circuits&quot;; TransformerLens <code>all_composition_scores</code>). Even random matrices score well above 0, so
        every score is shown against random matrices of the same shapes: hatched cells are within two standard deviations of that baseline.
        Run <code>{run.id}</code>
        {pinned ? ' (pinned)' : ' (latest)'}; weights as the run used them (weight processing: see the run page). API:{' '}
        <a href={`/api/v1/models/${model.slug}/composition?kind=k&run=${run.id}`}>JSON</a>.
      </p>
      {tops.every((t) => t.length === 0) ? (
        <p className="notice">This run stored no composition scores{model.nLayers < 2 ? ' (a one-layer model has no pairs)' : ''}.</p>
      ) : (
        KINDS.map(({ kind, title, what }, k) => {
          const rows = scores?.filter((s) => s.kind === kind);
          const baseline = baselines.find((b) => b.kind === kind) ?? null;
          const top = tops[k];
          return (
            <section key={kind} id={`${kind}-composition`}>
              <h2>{title}</h2>
              <p className="small muted">{what}.</p>
              <CompositionMatrix
                kind={kind}
                nLayers={model.nLayers}
                nHeads={model.nHeads}
                scores={rows?.map((r) => [r.srcLayer, r.srcHead, r.dstLayer, r.dstHead, r.value])}
                image={rows ? undefined : { href: compositionImagePath(model.slug, run.id, kind), max: top[0]?.value ?? 0 }}
                baseline={baseline}
                headHrefPrefix={headHrefPrefix}
              />
              <table className="data-table compact" data-testid={`composition-top-${kind}`}>
                <thead>
                  <tr>
                    <th scope="col">Writing head</th>
                    <th scope="col">Reading head</th>
                    <th scope="col" className="num">
                      Score
                    </th>
                    <th scope="col" className="num">
                      σ above random
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {top.map((r) => (
                    <tr key={`${r.srcLayer}.${r.srcHead}.${r.dstLayer}.${r.dstHead}`}>
                      <td>
                        <Link href={headPath(model.slug, r.srcLayer, r.srcHead, pageRun)}>{headName(r.srcLayer, r.srcHead)}</Link>
                      </td>
                      <td>
                        <Link href={headPath(model.slug, r.dstLayer, r.dstHead, pageRun)}>{headName(r.dstLayer, r.dstHead)}</Link>
                      </td>
                      <td className="num">{r.value.toFixed(3)}</td>
                      <td className="num">{baseline && baseline.std > 0 ? ((r.value - baseline.mean) / baseline.std).toFixed(1) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          );
        })
      )}

      <CiteThis
        title={`${model.displayName} composition between heads`}
        pinnedPath={`${modelPath(model.slug, run.id)}/composition`}
        run={run}
      />
    </>
  );
}
