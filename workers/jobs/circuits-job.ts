/**
 * Job `circuits`: the run's circuits (workers/circuits/compute.ts) on one worker — tasks, patching sweeps,
 * discovered circuits and head roles. Its result is staged like every job's and written by finalize.
 */
import { saveCircuits } from '@/lib/db/circuits';
import type { CircuitsJob } from '@/lib/queue/payloads';
import { computeCircuitWiki, type CircuitWiki } from '../circuits/compute';
import { circuitComputations } from '../circuits/computations';
import type { JobContext } from './job-context';

export async function runCircuitsJob(job: CircuitsJob, context: JobContext): Promise<CircuitWiki> {
  const { model, tokenizer, runner } = await context.loadModel(job.modelRef, job.weightProcessing);
  return stageable(
    await computeCircuitWiki({ model, tokenizer, runner, seed: job.seed, promptPairs: job.promptPairs, computations: circuitComputations }),
  );
}

/** The result codec refuses NaN (a sweep cell that could not be measured): staged as null, as the tables store it. */
export function stageable(wiki: CircuitWiki): CircuitWiki {
  return JSON.parse(JSON.stringify(wiki, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

/** Finalize's part: writes the staged result; returns what the run's options record. */
export async function saveCircuitsResult(runId: string, result: CircuitWiki): Promise<CircuitWiki['notes']> {
  await saveCircuits(runId, result.tasks, result.roles);
  return result.notes;
}
