/**
 * Job `finalize-layer`: one layer's part of finalize (issue 15), so a big run's merging, label ablations, minimal
 * examples and row writing spread over every worker instead of one finalize. For its layer it confirms the heads'
 * labels (they need every metric's scores, staged by the head-metrics jobs), merges every corpus scan's shards and
 * saves that layer's head examples and neuron rows. Each save replaces the layer's rows, so a retried job rewrites
 * the same rows; the run stays invisible until `finalize` publishes it.
 */
import { saveHeadLabels } from '@/lib/db/head-labels';
import type { HeadMetricValue } from '@/lib/db/head-metrics';
import { getStagedParts, getStagedResults, type StagedResult } from '@/lib/db/run-jobs';
import { confirmLabels } from '@/lib/metrics/causal/confirm-labels';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import type { FinalizeJob, FinalizeLayerJob } from '@/lib/queue/payloads';
import { decodeResult } from '@/lib/queue/result-codec';
import { findCorpusScan, type ScannedCorpus } from './corpus-scans';
import { parseScanKey } from './corpus-shard-job';
import type { HeadMetricsResult } from './head-metrics-job';
import type { JobContext } from './job-context';

export interface FinalizeLayerResult {
  /** Facts to record in the run's options (as the single-process path records them). */
  notes: Record<string, unknown>;
  /** Seconds per phase, for the worker log and the benchmarks. */
  phases: Record<string, number>;
}

export async function runFinalizeLayerJob(job: FinalizeLayerJob, context: JobContext): Promise<FinalizeLayerResult> {
  return finalizeLayerParts(job, context, job.layer);
}

/** The per-layer parts of finalize for one layer, or for every layer at once (`layer` undefined: a run planned without them). */
export async function finalizeLayerParts(
  job: FinalizeLayerJob | FinalizeJob,
  context: JobContext,
  layer?: number,
): Promise<FinalizeLayerResult> {
  const notes: Record<string, unknown> = {};
  const phases: Record<string, number> = {};
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = (now - t) / 1000;
    t = now;
  };
  const staged = await getStagedResults(job.runId);
  const { model, tokenizer, runner } = await context.loadModel(job.modelRef, job.weightProcessing);
  const layers = layer === undefined ? undefined : [layer];

  const metrics = mergeHeadMetrics(staged.filter((s) => s.kind === 'head-metrics').map((s) => decodeResult<HeadMetricsResult>(s.result)));
  const grids = metricGrids(metrics, model.cfg.n_layers, model.cfg.n_heads);
  if (LABEL_RULES.every((r) => grids[r.metricId])) {
    const texts = (await context.corpusDocuments(job.corpusSlug)).slice(0, job.maxTexts);
    const labels = await confirmLabels({ model, tokenizer, runner, texts, seed: job.seed, scores: grids, layers });
    await saveHeadLabels(job.runId, labels, layers);
    notes.labelAblation = 'mean';
    phase('labels');
  }

  const scans = await stagedScans(staged, job.corpusSlug, (jobKey) => getStagedParts(job.runId, jobKey, layer));
  for (const [scanId, corpora] of scans) {
    const scan = findCorpusScan(scanId);
    if (!scan) throw new Error(`corpus scan "${scanId}" is not registered in this worker`);
    const recorded = await scan.mergeAndSave(job.runId, corpora, {
      model,
      tokenizer,
      runner,
      corpusSlug: job.corpusSlug,
      seed: job.seed,
      layer,
    });
    Object.assign(notes, recorded ?? {});
    phase(scanId);
  }
  return { notes, phases };
}

/**
 * Staged shards grouped by scan, then corpus: the run's own corpus first, comparison corpora after (by slug), each
 * corpus' shards in shard order (job keys sort as `<scan>[@<corpus>]:<zero-padded index>/<count>`). A scan staged in
 * layer parts gets its shards back from their heads and the parts `loadParts` reads (one layer's, or all).
 */
export async function stagedScans(
  staged: StagedResult[],
  runCorpusSlug: string,
  loadParts: (jobKey: string) => Promise<{ part: number; result: Uint8Array }[]> = async () => [],
): Promise<Map<string, ScannedCorpus<unknown>[]>> {
  const byScan = new Map<string, ScannedCorpus<unknown>[]>();
  for (const s of staged.filter((r) => r.kind === 'corpus-shard')) {
    const { scanId, corpusSlug, comparison } = parseScanKey(s.jobKey.slice(0, s.jobKey.indexOf(':')), runCorpusSlug);
    const corpora = byScan.get(scanId) ?? [];
    byScan.set(scanId, corpora);
    let entry = corpora.find((c) => c.corpusSlug === corpusSlug && c.comparison === comparison);
    if (!entry) corpora.push((entry = { corpusSlug, comparison, shards: [] }));
    const head = decodeResult(s.result);
    const layerParts = findCorpusScan(scanId)?.layerParts;
    // Results staged whole (before layer parts, or by scans without them) have no parts: the head is the shard.
    const parts = layerParts ? await loadParts(s.jobKey) : [];
    entry.shards.push(
      parts.length > 0
        ? layerParts!.join(
            head,
            parts.map((p) => ({ layer: p.part, value: decodeResult(p.result) })),
          )
        : head,
    );
  }
  for (const corpora of byScan.values()) {
    corpora.sort((a, b) => Number(a.comparison) - Number(b.comparison) || (a.corpusSlug < b.corpusSlug ? -1 : 1));
  }
  return byScan;
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
