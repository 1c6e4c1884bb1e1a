import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { DiffCite } from '@/app/components/diffs/DiffCite';
import { SeriesChart, type ChartLine } from '@/app/components/diffs/SeriesChart';
import { loadSeriesDetail, type SeriesDetail } from '@/lib/api/diff-data';
import { seriesIdSchema } from '@/lib/db/checkpoint-series';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { modelPath } from '@/lib/format/paths';

/**
 * `/series/{seriesId}`: a model over training (issue 17). First when the labelled kinds of heads appear (the
 * first checkpoint where a head passes the label's threshold), then loss and head metrics as lines over steps,
 * then each checkpoint with its own run's pages and the diff from the checkpoint before.
 */
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ seriesId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Checkpoint series ${(await params).seriesId}` };
}

/** Metrics drawn, in this order (the others are in the JSON). */
const CHART_METRICS = ['induction', 'prefix_matching', 'previous_token', 'duplicate_token'];

export default async function SeriesPage({ params }: Props) {
  const { seriesId } = await params;
  if (!seriesIdSchema.safeParse(seriesId).success) notFound();
  const detail = await loadSeriesDetail(seriesId);
  if (!detail) notFound();
  const { series, points, metrics } = detail;
  const steps = points.map((p) => p.step);
  const formed = LABEL_RULES.filter((r) => metrics[r.metricId]).map((r) => ({
    rule: r,
    ...firstCrossing(detail, r.metricId, r.threshold),
  }));
  return (
    <>
      <Breadcrumbs items={[{ label: 'Diffs', href: '/diffs' }, { label: series.name }]} />
      <h1>{series.name}</h1>
      <p className="lede">
        {points.length} checkpoints, steps {steps[0]}–{steps[steps.length - 1]}: each has its own published run, and a diff from the
        checkpoint before.
      </p>
      <ul data-testid="series-formation">
        {formed.map(({ rule, step, head, value }) => (
          <li key={rule.label}>
            {step === null ? (
              <>
                No {rule.title.toLowerCase()} yet: no head reaches {rule.metricId} ≥ {rule.threshold}.
              </>
            ) : (
              <>
                <strong>{rule.title}s</strong> appear by step <strong>{step}</strong>: head {head} reaches {rule.metricId} ={' '}
                {value!.toFixed(2)} (≥ {rule.threshold}).
              </>
            )}
          </li>
        ))}
      </ul>

      <div className="series-charts">
        <SeriesChart
          title="Loss"
          caption="mean next-token loss on the diff corpus, nats per token"
          steps={steps}
          lines={[{ label: 'loss', values: points.map((p) => p.loss), highlight: true }]}
          testId="chart-loss"
        />
        {CHART_METRICS.filter((m) => metrics[m]).map((m) => (
          <SeriesChart
            key={m}
            title={headMetrics.find((h) => h.id === m)?.title ?? m}
            caption={`${m}, one line per head${thresholdOf(m) !== undefined ? '; dashed: the label threshold' : ''}`}
            steps={steps}
            lines={headLines(metrics[m])}
            threshold={thresholdOf(m)}
            testId={`chart-${m}`}
          />
        ))}
        <SeriesChart
          title="Weight change"
          caption="‖W_step − W_previous‖ / ‖W_previous‖ (all weights)"
          steps={steps}
          lines={[{ label: 'relative change', values: points.map((p) => p.weightChange), highlight: true }]}
          testId="chart-weights"
        />
      </div>

      <h2 id="checkpoints">Checkpoints</h2>
      <div className="table-scroll" style={{ maxHeight: 'none' }}>
        <table className="data-table" data-testid="series-checkpoints">
          <thead>
            <tr>
              <th scope="col" className="num">
                Step
              </th>
              <th scope="col">Model (its pages)</th>
              <th scope="col">Run</th>
              <th scope="col" className="num">
                Loss
              </th>
              <th scope="col">Diff from previous</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.step}>
                <td className="num">{p.step}</td>
                <td>
                  <Link href={modelPath(p.modelSlug, p.runId)}>{p.modelSlug}</Link>
                </td>
                <td>
                  <Link href={`/runs/${p.runId}`}>{p.runId}</Link>
                </td>
                <td className="num">{p.loss === null ? '–' : p.loss.toFixed(3)}</td>
                <td>{p.diffId ? <Link href={`/diffs/${p.diffId}`}>{p.diffId}</Link> : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="api-links">
        <a href={`/api/v1/series/${series.id}`}>JSON (every metric, every head, every checkpoint)</a>
      </p>
      <DiffCite
        title={`Checkpoint series ${series.name}`}
        path={`/series/${series.id}`}
        id={series.id}
        kind="series"
        published={series.createdAt}
      />
    </>
  );
}

function thresholdOf(metricId: string): number | undefined {
  return LABEL_RULES.find((r) => r.metricId === metricId)?.threshold;
}

/** One line per head; the head with the largest final value is highlighted. */
function headLines(byHead: Record<string, (number | null)[]>): ChartLine[] {
  const entries = Object.entries(byHead);
  const last = (v: (number | null)[]) => v[v.length - 1] ?? -Infinity;
  const best = entries.reduce<string | null>((b, [h, v]) => (b === null || last(v) > last(byHead[b]) ? h : b), null);
  return entries.map(([head, values]) => ({ label: `L${head.replace('.', 'H')}`, values, highlight: head === best }));
}

/** The first checkpoint where some head's metric reaches the threshold, and that head. */
function firstCrossing(detail: SeriesDetail, metricId: string, threshold: number): { step: number | null; head?: string; value?: number } {
  const byHead = detail.metrics[metricId] ?? {};
  for (const [i, p] of detail.points.entries()) {
    let best: { head: string; value: number } | null = null;
    for (const [head, values] of Object.entries(byHead)) {
      const v = values[i];
      if (v !== null && v >= threshold && (!best || v > best.value)) best = { head, value: v };
    }
    if (best) return { step: p.step, head: `L${best.head.replace('.', 'H')}`, value: best.value };
  }
  return { step: null };
}
