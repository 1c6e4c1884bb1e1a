/**
 * A head's strongest composition partners (server component): per kind, the earlier heads whose output it reads
 * most (upstream) and the later heads that read its output most (downstream), each with its distance from the
 * random-matrix baseline in standard deviations. Only scores that clear the baseline are listed
 * (lib/api/composition-partners.ts); how many were left out is said.
 */
import Link from 'next/link';
import { partnersOf, SIGNIFICANT_Z, type PartnerList } from '@/lib/api/composition-partners';
import { getCompositionBaselines, getHeadCompositionFor, type CompositionKind } from '@/lib/db/head-composition';
import { headName } from '@/lib/format/head-name';
import { headPath } from '@/lib/format/paths';

const KIND_TITLE: Record<CompositionKind, string> = { q: 'Q-composition', k: 'K-composition', v: 'V-composition' };

export async function CompositionPartners(props: { runId: string; modelSlug: string; pageRun?: string; layer: number; head: number }) {
  const { runId, modelSlug, pageRun, layer, head } = props;
  const [scores, baselines] = await Promise.all([getHeadCompositionFor(runId, layer, head), getCompositionBaselines(runId)]);
  if (scores.length === 0) return <p className="small muted">This run stored no composition scores.</p>;
  const baseline = new Map(baselines.map((b) => [b.kind, b]));
  const list = ({ partners, hidden }: PartnerList, none: string) => (
    <>
      {partners.length ? (
        <ol className="small">
          {partners.map((p) => (
            <li key={`${p.layer}.${p.head}`}>
              <Link href={headPath(modelSlug, p.layer, p.head, pageRun)}>{headName(p.layer, p.head)}</Link> {p.value.toFixed(3)}
              {p.z !== null ? <span className="muted"> (+{p.z.toFixed(1)} σ)</span> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="small muted">{none}</p>
      )}
      {hidden > 0 ? (
        <p className="small muted" data-testid="partners-hidden">
          {hidden} {hidden === 1 ? 'score' : 'scores'} below +{SIGNIFICANT_Z} σ of the random baseline not listed
        </p>
      ) : null}
    </>
  );
  return (
    <div className="partners" data-testid="composition-partners">
      {(['q', 'k', 'v'] as const).map((kind) => {
        const b = baseline.get(kind);
        const up = partnersOf(
          scores.filter((c) => c.kind === kind && c.dstLayer === layer && c.dstHead === head),
          b,
          'src',
        );
        const down = partnersOf(
          scores.filter((c) => c.kind === kind && c.srcLayer === layer && c.srcHead === head),
          b,
          'dst',
        );
        return (
          <div key={kind} className="partner-kind">
            <h3>{KIND_TITLE[kind]}</h3>
            {b ? (
              <p className="small muted">
                random baseline {b.mean.toFixed(3)} ± {b.std.toFixed(3)}
              </p>
            ) : null}
            <p className="small">Upstream (it reads):</p>
            {list(up, up.hidden === 0 ? 'none (layer 0)' : 'none above the random baseline')}
            <p className="small">Downstream (reads it):</p>
            {list(down, down.hidden === 0 ? 'none (last layer)' : 'none above the random baseline')}
          </div>
        );
      })}
    </div>
  );
}
