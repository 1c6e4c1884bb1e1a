import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { weightPrecision } from '@/lib/engine/precision';
/**
 * Job `finalize`: merges every staged result of the run into its tables and publishes it. Writes are
 * upserts keyed like the results, so a retried finalize rewrites the same rows; the run only becomes
 * visible in publishRunFromJobs' transaction, which refuses while any job is unfinished.
 */
import { getPrisma } from '@/lib/db/client';
import { saveHeadComposition } from '@/lib/db/head-composition';
import { saveHeadLabels } from '@/lib/db/head-labels';
import { saveHeadMetrics, type HeadMetricValue } from '@/lib/db/head-metrics';
import { saveExampleText, saveHeadPatterns } from '@/lib/db/head-patterns';
import { getStagedResults, publishRunFromJobs } from '@/lib/db/run-jobs';
import type { RunInfo } from '@/lib/db/runs';
import { confirmLabels } from '@/lib/metrics/causal/confirm-labels';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import type { FinalizeJob } from '@/lib/queue/payloads';
import { decodeResult } from '@/lib/queue/result-codec';
import { findCorpusScan } from './corpus-scans';
import type { HeadMetricsResult } from './head-metrics-job';
import type { JobContext } from './job-context';
import { saveCircuitsResult } from './circuits-job';

export async function runFinalizeJob(job: FinalizeJob, context: JobContext): Promise<RunInfo> {
  // Finalize is the one job that does not spread over workers: its phases' times show what bounds a large run.
  const phases: string[] = [];
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${((now - t) / 1000).toFixed(1)} s`);
    t = now;
  };
  const staged = await getStagedResults(job.runId);
  const headResults = staged.filter((s) => s.kind === 'head-metrics').map((s) => decodeResult<HeadMetricsResult>(s.result));
  const metrics = mergeHeadMetrics(headResults);
  const notes: Record<string, unknown> = Object.assign({}, ...headResults.map((r) => r.notes ?? {}));
  await saveHeadMetrics(job.runId, metrics);
  const first = headResults.find((r) => r.example);
  if (first?.example) {
    await saveExampleText(job.runId, { tokenIds: first.example.tokenIds, tokens: first.example.tokens });
    await saveHeadPatterns(job.runId, first.example.patterns);
  }
  if (first?.composition) await saveHeadComposition(job.runId, first.composition.scores, first.composition.baselines);
  phase('head metrics');

  const { model, tokenizer, runner, weightProcessing } = await context.loadModel(job.modelRef, job.weightProcessing);
  // What was applied, as the in-process path records it (every job ran on this same processed model).
  notes.weightProcessing = weightProcessing;
  // The checkpoint's dtype and the precision computed in (16-bit checkpoints are widened on the CPU).
  if (runner instanceof OnnxRunner) notes.weights = weightPrecision(model, runner);
  // Labels need every metric's scores, so they are confirmed here, as computeHeadWiki does after its metrics.
  const grids = metricGrids(metrics, model.cfg.n_layers, model.cfg.n_heads);
  if (LABEL_RULES.every((r) => grids[r.metricId])) {
    const texts = (await context.corpusDocuments(job.corpusSlug)).slice(0, job.maxTexts);
    await saveHeadLabels(job.runId, await confirmLabels({ model, tokenizer, runner, texts, seed: job.seed, scores: grids }));
    notes.labelAblation = 'mean';
    phase('labels');
  }

  // Corpus scans: shards in shard order (job keys sort as `<scan>:<zero-padded index>/<count>`).
  const shardsByScan = new Map<string, unknown[]>();
  for (const s of staged.filter((r) => r.kind === 'corpus-shard')) {
    const scanId = s.jobKey.slice(0, s.jobKey.indexOf(':'));
    shardsByScan.set(scanId, [...(shardsByScan.get(scanId) ?? []), decodeResult(s.result)]);
  }
  for (const [scanId, shards] of shardsByScan) {
    const scan = findCorpusScan(scanId);
    if (!scan) throw new Error(`corpus scan "${scanId}" is not registered in this worker`);
    const recorded = await scan.mergeAndSave(job.runId, shards, { model, tokenizer, runner, corpusSlug: job.corpusSlug, seed: job.seed });
    Object.assign(notes, recorded ?? {});
    phase(scanId);
  }
  const circuits = staged.find((s) => s.kind === 'circuits');
  if (circuits) {
    notes.circuits = await saveCircuitsResult(job.runId, decodeResult(circuits.result));
    phase('circuits');
  }
  if (Object.keys(notes).length > 0) await recordRunNotes(job.runId, notes);
  const published = await publishRunFromJobs(job.runId);
  phase('publish');
  context.log(`${job.runId} finalize: ${phases.join(', ')}`);
  return published;
}

/** Metric groups are disjoint: concatenating them is the single-process result; a key twice is a planning bug. */
export function mergeHeadMetrics(results: HeadMetricsResult[]): HeadMetricValue[] {
  const seen = new Set<string>();
  const merged: HeadMetricValue[] = [];
  for (const r of results) {
    for (const v of r.metrics) {
      const key = `${v.layer}.${v.head}.${v.metricId}`;
      if (seen.has(key)) throw new Error(`finalize: L${v.layer}H${v.head} ${v.metricId} was computed by two jobs`);
      seen.add(key);
      merged.push(v);
    }
  }
  return merged;
}

function metricGrids(values: HeadMetricValue[], nLayers: number, nHeads: number): Record<string, number[][]> {
  const grids: Record<string, number[][]> = {};
  for (const v of values) {
    grids[v.metricId] ??= Array.from({ length: nLayers }, () => new Array<number>(nHeads).fill(NaN));
    grids[v.metricId][v.layer][v.head] = v.value;
  }
  return grids;
}

/** Facts found while computing (as the single-process path records them in the run's options), before publishing. */
async function recordRunNotes(runId: string, notes: Record<string, unknown>): Promise<void> {
  const prisma = getPrisma();
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { options: true } });
  const options = { ...(run.options as Record<string, unknown>), ...notes };
  await prisma.run.update({ where: { id: runId }, data: { options: JSON.parse(JSON.stringify(options)) } });
}
