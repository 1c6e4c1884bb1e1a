/**
 * A head's strongest composition partners (server component): per kind, the earlier heads whose
 * output it reads most (upstream) and the later heads that read its output most (downstream),
 * with each score's distance from the random-matrix baseline in standard deviations.
 */
import Link from 'next/link';
import { getCompositionBaselines, getHeadCompositionFor, type CompositionKind } from '@/lib/db/head-composition';
import { headName } from '@/lib/format/head-name';
import { headPath } from '@/lib/format/paths';

const KIND_TITLE: Record<CompositionKind, string> = { q: 'Q-composition', k: 'K-composition', v: 'V-composition' };
const TOP = 3;

export async function CompositionPartners(props: { runId: string; modelSlug: string; pageRun?: string; layer: number; head: number }) {
  const { runId, modelSlug, pageRun, layer, head } = props;
  const [scores, baselines] = await Promise.all([getHeadCompositionFor(runId, layer, head), getCompositionBaselines(runId)]);
  if (scores.length === 0) return <p className="small muted">This run stored no composition scores.</p>;
  const baseline = new Map(baselines.map((b) => [b.kind, b]));
  const z = (kind: CompositionKind, v: number) => {
    const b = baseline.get(kind);
    return b && b.std > 0 ? (v - b.mean) / b.std : null;
  };
  const list = (rows: typeof scores, side: 'src' | 'dst') =>
    rows
      .sort((a, b) => b.value - a.value)
      .slice(0, TOP)
      .map((c) => {
        const [l, h] = side === 'src' ? [c.srcLayer, c.srcHead] : [c.dstLayer, c.dstHead];
        const zs = z(c.kind, c.value);
        return (
          <li key={`${l}.${h}`}>
            <Link href={headPath(modelSlug, l, h, pageRun)}>{headName(l, h)}</Link> {c.value.toFixed(3)}
            {zs !== null ? <span className="muted"> ({zs >= 0 ? '+' : ''}{zs.toFixed(1)} σ)</span> : null}
          </li>
        );
      });
  return (
    <div className="partners" data-testid="composition-partners">
      {(['q', 'k', 'v'] as const).map((kind) => {
        const up = scores.filter((c) => c.kind === kind && c.dstLayer === layer && c.dstHead === head);
        const down = scores.filter((c) => c.kind === kind && c.srcLayer === layer && c.srcHead === head);
        const b = baseline.get(kind);
        return (
          <div key={kind} className="partner-kind">
            <h3>{KIND_TITLE[kind]}</h3>
            {b ? <p className="small muted">random baseline {b.mean.toFixed(3)} ± {b.std.toFixed(3)}</p> : null}
            <p className="small">Upstream (it reads):</p>
            {up.length ? <ol className="small">{list(up, 'src')}</ol> : <p className="small muted">none (layer 0)</p>}
            <p className="small">Downstream (reads it):</p>
            {down.length ? <ol className="small">{list(down, 'dst')}</ol> : <p className="small muted">none (last layer)</p>}
          </div>
        );
      })}
    </div>
  );
}
