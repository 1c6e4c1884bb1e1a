/**
 * What the queue commands (`run`, `diff`, `series`) share: the corpus named by `--corpus`, local worker
 * processes started for the command's duration, following a run's or a diff's progress with a bar, and
 * making sure a model has a published run (planning one through the run pipeline when it has none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import cliProgress from 'cli-progress';
import type PgBoss from 'pg-boss';
import { listLiveWorkers } from '@/lib/db/queue-workers';
import { getRunProgress, type RunProgress } from '@/lib/db/run-progress';
import { getLatestPublishedRun, type RunInfo } from '@/lib/db/runs';
import { resolveModel } from '@/lib/models/registry';
import { codeVersion } from '@/workers/code-version';
import { withDbRetry } from '@/workers/jobs/db-retry';
import { planRun } from '@/workers/plan-run';
import { defineRun, type RunCorpus } from '@/workers/run-definition';
import { repoRoot } from '../lib/paths';
import { formatDuration, progressLine } from './run-progress-line';

/** The run pipeline's corpus: `--corpus` resolves as for `publish` and `run` (a bundled slug or path, or a file). */
export type CorpusInput = RunCorpus;
export { corpusFromFlag } from '../lib/run-definition-args';

/** Starts `count` workers here (default: one when no live worker polls the queue); returns a stop function. */
export async function startLocalWorkers(requested: string | undefined, log: (msg: string) => void): Promise<() => Promise<void>> {
  const live = await listLiveWorkers(10);
  const count = requested !== undefined ? Number(requested) : live.length === 0 ? 1 : 0;
  if (!Number.isInteger(count) || count < 0) throw new Error(`--workers must be a non-negative integer, got "${requested}"`);
  if (live.length > 0) log(`${live.length} worker(s) already polling`);
  const children: ChildProcess[] = Array.from({ length: count }, () => spawnLocalWorker());
  if (count > 0) log(`started ${count} local worker process(es)`);
  if (live.length === 0 && count === 0) log('no worker is running: start some with `npm run worker` (same DATABASE_URL)');
  return async () => {
    await Promise.all(children.map((c) => stopChild(c)));
  };
}

/** Follows progress until the run or diff is no longer running; a bar on a terminal, changed lines otherwise. */
export async function followProgress(
  read: () => Promise<RunProgress | null>,
  what: string,
  unit?: { name: string; rate: string },
): Promise<RunProgress> {
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
    // The work goes on without this process: a database restart only pauses the display.
    const p = await withDbRetry('progress', read, { log: (m) => console.error(`  ${m}`) });
    if (!p) throw new Error(`${what} disappeared`);
    const line = progressLine(p, unit);
    if (bar) {
      if (!started) bar.start(p.jobs.total, p.jobs.done, { line });
      started = true;
      bar.update(p.jobs.done, { line });
    } else if (line !== lastPrinted) {
      console.error(`  ${what}: ${p.jobs.done}/${p.jobs.total} jobs | ${line}`);
      lastPrinted = line;
    }
    if (p.status !== 'running') {
      bar?.stop();
      console.error(`  ${what} ${p.status} after ${formatDuration(p.elapsedSeconds)}`);
      return p;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The model's latest published run, or — when it has none — a run planned through the run pipeline on
 * `corpus` and followed until published. Returns the run and the model's slug.
 */
export async function ensurePublishedRun(
  boss: PgBoss,
  modelRef: string,
  corpus: CorpusInput,
  log: (msg: string) => void,
  opts: { maxTexts?: number; scanDocuments?: number; shards?: number } = {},
): Promise<RunInfo> {
  const { model } = await resolveModel(modelRef);
  const slug = model.cfg.model_name;
  const latest = await getLatestPublishedRun(slug);
  if (latest) {
    log(`${slug}: using its published run ${latest.id}`);
    return latest;
  }
  log(`${slug} has no published run: computing one (run pipeline)`);
  // The run pipeline's definition with its defaults (workers/run-definition.ts); --scan-documents bounds the scans.
  const definition = defineRun({
    modelRef,
    corpus,
    ...(opts.maxTexts ? { maxTexts: opts.maxTexts } : {}),
    ...(opts.scanDocuments ? { headExampleDocuments: opts.scanDocuments, neuronDocuments: opts.scanDocuments } : {}),
  });
  const { run } = await planRun(boss, {
    definition,
    shards: opts.shards ?? 2,
    codeVersion: codeVersion(repoRoot),
    options: { engine: 'onnxruntime-node' },
  });
  const final = await followProgress(() => getRunProgress(run.id), `run ${run.id} (${slug})`);
  if (final.status !== 'published') throw new Error(`run ${run.id} of ${slug} ${final.status}: ${final.error ?? 'unknown error'}`);
  return (await getLatestPublishedRun(slug))!;
}

export function spawnLocalWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: repoRoot,
    env: process.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}
