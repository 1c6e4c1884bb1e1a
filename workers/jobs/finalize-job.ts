/**
 * Job `finalize`: the small last step of a run on the queue. The per-layer parts (labels, examples, neuron rows:
 * finalize-layer-job.ts) are done by then; this writes the run-wide rows staged by the head-metrics jobs (metrics,
 * example patterns, composition), records the facts every job noted, and publishes in publishRunFromJobs'
 * transaction, which refuses while any job is unfinished. Writes are keyed like the results, so a retried
 * finalize rewrites the same rows.
 */
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { weightPrecision } from '@/lib/engine/precision';
import { getPrisma } from '@/lib/db/client';
import { saveHeadComposition } from '@/lib/db/head-composition';
import { saveHeadMetrics } from '@/lib/db/head-metrics';
import { saveExampleText, saveHeadPatterns } from '@/lib/db/head-patterns';
import { FINALIZE_LAYER_KIND, finalizeLayers, getStagedResults, publishRunFromJobs } from '@/lib/db/run-jobs';
import type { RunInfo } from '@/lib/db/runs';
import type { FinalizeJob } from '@/lib/queue/payloads';
import { decodeResult } from '@/lib/queue/result-codec';
import { finalizeLayerParts, mergeHeadMetrics, type FinalizeLayerResult } from './finalize-layer-job';
import type { HeadMetricsResult } from './head-metrics-job';
import type { JobContext } from './job-context';
import { saveCircuitsResult } from './circuits-job';

export async function runFinalizeJob(job: FinalizeJob, context: JobContext): Promise<RunInfo> {
  const t0 = performance.now();
  const staged = await getStagedResults(job.runId);
  const headResults = staged.filter((s) => s.kind === 'head-metrics').map((s) => decodeResult<HeadMetricsResult>(s.result));
  const notes: Record<string, unknown> = Object.assign({}, ...headResults.map((r) => r.notes ?? {}));
  await saveHeadMetrics(job.runId, mergeHeadMetrics(headResults));
  const first = headResults.find((r) => r.example);
  if (first?.example) {
    await saveExampleText(job.runId, { tokenIds: first.example.tokenIds, tokens: first.example.tokens });
    await saveHeadPatterns(job.runId, first.example.patterns);
  }
  if (first?.composition) await saveHeadComposition(job.runId, first.composition.scores, first.composition.baselines);

  // A run planned before finalize had per-layer parts: do them here, for every layer.
  const parts =
    (await finalizeLayers(job.runId)).length > 0
      ? staged.filter((s) => s.kind === FINALIZE_LAYER_KIND).map((s) => decodeResult<FinalizeLayerResult>(s.result))
      : [await finalizeLayerParts(job, context)];
  for (const part of parts) Object.assign(notes, part.notes);

  const { model, runner, weightProcessing } = await context.loadModel(job.modelRef, job.weightProcessing);
  // What was applied, as the in-process path records it (every job ran on this same processed model).
  notes.weightProcessing = weightProcessing;
  // The checkpoint's dtype and the precision computed in (16-bit checkpoints are widened on the CPU).
  if (runner instanceof OnnxRunner) notes.weights = weightPrecision(model, runner);
  // The circuits job's tasks, circuits and roles: run-wide and small, written here.
  const circuits = staged.find((s) => s.kind === 'circuits');
  if (circuits) notes.circuits = await saveCircuitsResult(job.runId, decodeResult(circuits.result));
  await recordRunNotes(job.runId, notes);
  const published = await publishRunFromJobs(job.runId);
  context.log(`${job.runId} finalize: ${((performance.now() - t0) / 1000).toFixed(1)} s after ${parts.length} per-layer part(s)`);
  return published;
}

/** Facts found while computing (as the single-process path records them in the run's options), before publishing. */
async function recordRunNotes(runId: string, notes: Record<string, unknown>): Promise<void> {
  const prisma = getPrisma();
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { options: true } });
  const options = { ...(run.options as Record<string, unknown>), ...notes };
  await prisma.run.update({ where: { id: runId }, data: { options: JSON.parse(JSON.stringify(options)) } });
}
