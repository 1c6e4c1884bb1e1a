/**
 * Job `head-metrics`: one group of head metrics. The group that carries the example also computes the
 * weights-only composition scores; labels need every metric's scores, so finalize confirms them.
 */
import type { HeadMetricValue } from '@/lib/db/head-metrics';
import { getHeadMetric } from '@/lib/metrics/heads/registry';
import type { HeadMetricsJob } from '@/lib/queue/payloads';
import { computeHeadWiki, type HeadWiki, type HeadWikiExample } from '../compute-head-wiki';
import type { JobContext } from './job-context';

export interface HeadMetricsResult {
  metrics: HeadMetricValue[];
  metricVersions: Record<string, number>;
  example: HeadWikiExample | null;
  composition: HeadWiki['composition'];
  notes: Record<string, unknown>;
}

export async function runHeadMetricsJob(job: HeadMetricsJob, context: JobContext): Promise<HeadMetricsResult> {
  const { model, tokenizer, runner } = await context.loadModel(job.modelRef, job.weightProcessing);
  const documents = await context.corpusDocuments(job.corpusSlug);
  const result = await computeHeadWiki({
    model,
    tokenizer,
    runner,
    texts: documents.slice(0, job.maxTexts),
    seed: job.seed,
    metrics: job.metricIds.map(getHeadMetric),
    composition: job.withExample,
    labels: false,
  });
  return {
    metrics: result.metrics,
    metricVersions: result.metricVersions,
    example: job.withExample ? result.example : null,
    composition: job.withExample ? result.composition : null,
    notes: result.notes,
  };
}
