/** The heads nearest to this one by their standardised metric vectors (lib/api/similar-heads.ts). */
import Link from 'next/link';
import type { HeadRow } from '@/lib/api/head-rows';
import { similarHeads } from '@/lib/api/similar-heads';
import { headPath } from '@/lib/format/paths';

export function SimilarHeads(props: {
  rows: HeadRow[];
  metricIds: string[];
  layer: number;
  head: number;
  modelSlug: string;
  pageRun?: string;
}) {
  const near = similarHeads(props.rows, props.metricIds, { layer: props.layer, head: props.head });
  if (near.length === 0) return <p className="small muted">Not enough metric values to compare heads.</p>;
  return (
    <>
      <p className="prose small muted" data-testid="similar-distance-note">
        Distance: the root-mean-square difference of two heads&apos; metric values after standardising each metric over this model&apos;s
        heads (z-scores). 0 = the same profile; 1 = one standard deviation apart on a typical metric.
      </p>
      <ol className="similar-heads small" data-testid="similar-heads">
        {near.map((h) => (
          <li key={h.name}>
            <Link href={headPath(props.modelSlug, h.layer, h.head, props.pageRun)}>{h.name}</Link>{' '}
            <span className="muted">distance {h.distance.toFixed(2)} σ</span>
          </li>
        ))}
      </ol>
    </>
  );
}
