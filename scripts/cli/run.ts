/**
 * `run`: plan a run as queue jobs, then show its progress until it is published (or failed).
 * `--weight-processing tl|none` (default tl: TransformerLens' defaults, as `publish` and `npm start`).
 * Workers do the work: `npm run worker` anywhere with the same DATABASE_URL; `--workers N` (default: 1
 * when no live worker is seen) also starts N worker processes here for the duration of the run.
 * `--circuits N` adds the circuits job (tasks, patching, discovery, roles; workers/circuits) with N prompt pairs per task.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { closePrisma } from '@/lib/db/client';
import { listLiveWorkers } from '@/lib/db/queue-workers';
import { getRunProgress, type RunProgress } from '@/lib/db/run-progress';
import { startBoss } from '@/lib/queue/boss';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import { codeVersion } from '@/workers/code-version';
import { withDbRetry } from '@/workers/jobs/db-retry';
import { planRun } from '@/workers/plan-run';
import { parseWeightProcessingRequest } from '@/workers/weight-processing';
import { openDatabase } from '../lib/database';
import { repoRoot } from '../lib/paths';
import { DEFAULT_MAX_TEXTS, DEFAULT_SEED } from '../lib/ensure-bundled-wiki';
import { formatDuration, progressLine } from './run-progress-line';

export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      corpus: { type: 'string' },
      shards: { type: 'string', default: '4' },
      workers: { type: 'string' },
      'max-texts': { type: 'string', default: String(DEFAULT_MAX_TEXTS) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      'weight-processing': { type: 'string', default: 'tl' },
      circuits: { type: 'string' },
    },
  });
  if (!values.model)
    throw new Error('--model is required (a model name such as stories260K, or a checkpoint path on every worker machine)');
  const shards = positiveInt(values.shards!, '--shards');
  const maxTexts = positiveInt(values['max-texts']!, '--max-texts');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  // Same processing as `publish` and `npm start`; finalize records what was applied in the run's options.
  const weightProcessing = parseWeightProcessingRequest(values['weight-processing']) as 'tl' | 'none';
  const corpus = values.corpus
    ? {
        slug: path
          .basename(values.corpus)
          .replace(/\.[^.]+$/, '')
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-'),
        name: path.basename(values.corpus),
        path: path.resolve(values.corpus),
        source: path.basename(values.corpus),
        license: 'unknown (user-supplied)',
      }
    : bundledCorpora(repoRoot)[0];
  const documents = await readDocuments(corpus.path);
  if (documents.length === 0) throw new Error(`corpus ${corpus.path} has no documents (blank-line separated text expected)`);

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
      modelRef: values.model,
      corpus: { slug: corpus.slug, name: corpus.name, source: corpus.source, license: corpus.license, documents },
      maxTexts,
      seed,
      shards,
      codeVersion: codeVersion(repoRoot),
      options: { engine: 'onnxruntime-node' },
      weightProcessing,
      circuits: values.circuits === undefined ? undefined : { promptPairs: positiveInt(values.circuits, '--circuits') },
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

    const final = await followProgress(run.id);
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

async function followProgress(runId: string): Promise<RunProgress> {
  const tty = Boolean(process.stderr.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: '  {bar} {value}/{total} jobs | {line}', hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let lastPrinted = '';
  let started = false;
  for (;;) {
    // The run goes on without this process: a database restart only pauses the display.
    const p = await withDbRetry('progress', () => getRunProgress(runId), { log: (m) => console.error(`  ${m}`) });
    if (!p) throw new Error(`run ${runId} disappeared`);
    const line = progressLine(p);
    if (bar) {
      if (!started) bar.start(p.jobs.total, p.jobs.done, { line });
      started = true;
      bar.update(p.jobs.done, { line });
    } else if (line !== lastPrinted) {
      console.error(`  ${p.jobs.done}/${p.jobs.total} jobs | ${line}`);
      lastPrinted = line;
    }
    if (p.status !== 'running') {
      bar?.stop();
      console.error(`  ${p.status} after ${formatDuration(p.elapsedSeconds)}`);
      return p;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function spawnLocalWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: repoRoot,
    env: process.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}
