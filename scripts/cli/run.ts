/**
 * `run`: plan a run as queue jobs, then show its progress until it is published (or failed).
 * Takes `publish`'s flags (scripts/lib/run-definition-args.ts): the same command line defines the same run.
 * Workers do the work: `npm run worker` anywhere with the same DATABASE_URL; `--workers N` (default: 1
 * when no live worker is seen) also starts N worker processes here for the duration of the run.
 * `--circuits N` adds the circuits job (tasks, patching, discovery, roles; workers/circuits), N prompt pairs per task.
 */
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { closePrisma } from '@/lib/db/client';
import { listLiveWorkers } from '@/lib/db/queue-workers';
import { getRunProgress } from '@/lib/db/run-progress';
import { startBoss } from '@/lib/queue/boss';
import { codeVersion } from '@/workers/code-version';
import { planRun } from '@/workers/plan-run';
import { openDatabase } from '../lib/database';
import { repoRoot } from '../lib/paths';
import { RUN_DEFINITION_FLAGS, runDefinitionFromFlags } from '../lib/run-definition-args';
import { followProgress, positiveInt, spawnLocalWorker, stopChild } from './queue-session';

export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...RUN_DEFINITION_FLAGS,
      shards: { type: 'string', default: '4' },
      workers: { type: 'string' },
    },
  });
  if (!values.model)
    throw new Error('--model is required (a model name such as stories260K, or a checkpoint path on every worker machine)');
  const shards = positiveInt(values.shards!, '--shards');
  // The same definition as `publish` and `npm start` from the same flags; finalize records what was applied.
  const definition = await runDefinitionFromFlags(values);

  const log = (msg: string) => console.error(`[headwiki] ${msg}`);
  const db = await openDatabase(log);
  const boss = await startBoss({ databaseUrl: process.env.DATABASE_URL!, onError: () => {} });
  const children: ChildProcess[] = [];
  // Stopped (SIGTERM, Ctrl-C): the local workers finish or release their jobs and exit with this process, instead
  // of living on as orphans; the run stays queued for workers elsewhere (or the next `npm run worker`).
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping the local workers; the run stays on the queue`);
    void Promise.all(children.map((c) => stopChild(c)))
      .then(() => db.stop())
      .finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const { run, jobs } = await planRun(boss, {
      definition,
      shards,
      codeVersion: codeVersion(repoRoot),
      options: { engine: 'onnxruntime-node' },
    });
    log(`run ${run.id}: ${jobs.length + 1} jobs queued (${jobs.map((j) => j.jobKey).join(', ')}, finalize)`);
    const live = await listLiveWorkers(10);
    const localWorkers = values.workers !== undefined ? Number(values.workers) : live.length === 0 ? 1 : 0;
    if (!Number.isInteger(localWorkers) || localWorkers < 0)
      throw new Error(`--workers must be a non-negative integer, got "${values.workers}"`);
    if (live.length > 0) log(`${live.length} worker(s) already polling`);
    for (let i = 0; i < localWorkers; i++) children.push(spawnLocalWorker());
    if (localWorkers > 0) log(`started ${localWorkers} local worker process(es)`);
    if (live.length === 0 && localWorkers === 0) log('no worker is running: start some with `npm run worker` (same DATABASE_URL)');

    const final = await followProgress(() => getRunProgress(run.id), `run ${run.id}`);
    if (final.status === 'failed') throw new Error(`run ${run.id} failed: ${final.error ?? 'unknown error'}`);
    console.log(
      JSON.stringify({ run: run.id, model: run.modelSlug, status: final.status, seconds: Math.round(final.elapsedSeconds) }, null, 2),
    );
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await Promise.all(children.map((c) => stopChild(c)));
    await boss.stop({ graceful: false }).catch(() => {});
    await closePrisma();
    await db.stop();
  }
}
