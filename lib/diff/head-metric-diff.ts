import { getHeadMetric } from '../metrics/heads/registry';
import type { DiffModel, HeadMetricDiff, HeadMetricDiffSummary } from './types';
import { assertSameArchitecture } from './model';
import { TopK } from './top-k';

/**
 * Head-metric differences: the registry's metrics computed on both models with the same texts and seed, then per
 * metric the summary the compare view shows for two published runs (lib/api/compare.ts: mean and largest |b − a|,
 * the head with the largest, Pearson correlation over heads) and the largest single differences over all metrics.
 * Default metrics: the attention-pattern ones (cheap, and what a changed head shows first) and direct logit attribution.
 */
export const DEFAULT_DIFF_HEAD_METRICS = [
  'previous_token',
  'duplicate_token',
  'induction',
  'attention_entropy',
  'direct_logit_attribution',
];

export async function computeHeadMetricDiff(
  a: DiffModel,
  b: DiffModel,
  texts: string[],
  opts: { metrics?: string[]; seed?: number; topK?: number } = {},
): Promise<HeadMetricDiff> {
  assertSameArchitecture(a, b);
  const metrics = (opts.metrics ?? DEFAULT_DIFF_HEAD_METRICS).map((id) => getHeadMetric(id));
  const ctx = (m: DiffModel) => ({
    cfg: m.model.cfg,
    weights: m.model.weights,
    runner: m.runner,
    tokenizer: m.tokenizer,
    texts,
    seed: opts.seed ?? 0,
  });
  type Top = HeadMetricDiff['top'][number];
  const top = new TopK<Top>(
    opts.topK ?? 20,
    (x, y) =>
      Math.abs(y.diff) - Math.abs(x.diff) ||
      (x.metric < y.metric ? -1 : x.metric > y.metric ? 1 : 0) ||
      x.layer - y.layer ||
      x.head - y.head,
  );
  const summaries: HeadMetricDiffSummary[] = [];
  for (const metric of metrics) {
    const [va, vb] = [await metric.compute(ctx(a)), await metric.compute(ctx(b))];
    const xs = va.flat();
    const ys = vb.flat();
    let maxAbs = -1;
    let maxHead = '';
    let sumAbs = 0;
    va.forEach((row, layer) =>
      row.forEach((x, head) => {
        const diff = vb[layer][head] - x;
        sumAbs += Math.abs(diff);
        if (Math.abs(diff) > maxAbs) [maxAbs, maxHead] = [Math.abs(diff), `L${layer}H${head}`];
        top.push({ metric: metric.id, layer, head, a: x, b: vb[layer][head], diff });
      }),
    );
    summaries.push({
      id: metric.id,
      title: metric.title,
      version: metric.version,
      meanAbsDiff: sumAbs / xs.length,
      maxAbsDiff: maxAbs,
      maxAbsDiffHead: maxHead,
      correlation: pearson(xs, ys),
    });
  }
  return { metrics: summaries, top: top.items };
}

function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}
