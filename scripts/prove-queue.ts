/**
 * The work queue's proofs at full size, on the real stories260K weights and the bundled TinyStories sample
 * (workers/worker-process.test.ts runs the same proofs, workers/queue-testing/proofs.ts, on a tiny model):
 *
 *   npx tsx scripts/prove-queue.ts [--model stories260K] [--shards 4] [--scan-documents 24] [--max-texts 40]
 *                                  [--metrics all|labels] [--down-ms 2000]
 *
 * (1) one worker publishes exactly the single-process run's rows (publishHeadWiki, as `npm start`; with --metrics all),
 * and two workers exactly one worker's; (2) `kill -9` of a worker inside a shard: the shard is redone elsewhere,
 * nothing missing or doubled; (2b) a worker dead right after taking a job, before starting it; (3) Postgres stopped
 * for --down-ms mid-run: workers reconnect and the run completes; then SIGTERM inside a shard, finishing it, and
 * SIGTERM past a 1 s stop timeout, releasing it. Prints one JSON line per proof and exits 1 when any check fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { getRunProgress } from '@/lib/db/run-progress';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import {
  proveDeathBeforeBegin,
  proveKill9,
  provePostgresRestart,
  proveSigterm,
  QueueCluster,
  type ProofRunSetup,
} from '@/workers/queue-testing/proofs';
import { repoRoot } from './lib/paths';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'stories260K' },
    shards: { type: 'string', default: '4' },
    'scan-documents': { type: 'string', default: '24' },
    'max-texts': { type: 'string', default: '40' },
    metrics: { type: 'string', default: 'all' },
    'down-ms': { type: 'string', default: '2000' },
  },
});
const int = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${values[name]}"`);
  return n;
};
if (values.metrics !== 'all' && values.metrics !== 'labels') throw new Error('--metrics must be all or labels');

const setup: ProofRunSetup = {
  modelRef: values.model!,
  documents: await readDocuments(bundledCorpora(repoRoot)[0].path, 300),
  maxTexts: int('max-texts'),
  scanDocuments: int('scan-documents'),
  shards: int('shards'),
  seed: 7,
  ...(values.metrics === 'labels'
    ? { metrics: headMetrics.filter((m) => [...LABEL_RULES.map((r) => r.metricId), 'copying_ov'].includes(m.id)) }
    : {}),
};

const cluster = await QueueCluster.start();
let failures = 0;
const report = (proof: string, checks: Record<string, boolean>, facts: Record<string, unknown>) => {
  const failed = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  failures += failed.length;
  console.log(JSON.stringify({ proof, ok: failed.length === 0, ...(failed.length ? { failed } : {}), ...facts }));
};
const t = () => Date.now();
const secs = (t0: number) => Number(((Date.now() - t0) / 1000).toFixed(1));

try {
  console.log(
    JSON.stringify({
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
      setup: { ...setup, documents: setup.documents.length, metrics: values.metrics },
    }),
  );
  // The single-process answer (publishHeadWiki, as `npm start`), when every metric is computed.
  let t0 = t();
  const inProcessRunId = values.metrics === 'all' ? await cluster.publishInProcess(setup) : null;
  const inProcessSeconds = secs(t0);
  // (1) One worker, one shard per scan (the reference for the other proofs). Then a second worker and sharded scans.
  cluster.startWorker();
  await cluster.ready();
  t0 = t();
  const referenceRunId = await cluster.plan(setup, 1);
  const reference = await cluster.waitForRun(referenceRunId);
  const referenceSeconds = secs(t0);
  if (inProcessRunId) {
    const c = await cluster.compareRuns(referenceRunId, inProcessRunId);
    report(
      'one worker = one process',
      { published: reference.status === 'published', identical: c.differences.length === 0 },
      {
        inProcessRun: inProcessRunId,
        run: referenceRunId,
        inProcessSeconds,
        seconds: referenceSeconds,
        rows: c.rows,
        differences: c.differences,
      },
    );
  }
  cluster.startWorker();
  await cluster.ready();
  t0 = t();
  const twoId = await cluster.plan(setup);
  const two = await cluster.waitForRun(twoId);
  const twoCompared = await cluster.compareRuns(twoId, referenceRunId);
  const twoWorkers = new Set((await getRunProgress(twoId))!.jobs.list.map((j) => j.workerId)).size;
  report(
    'two workers = one worker',
    {
      referencePublished: reference.status === 'published',
      published: two.status === 'published',
      identical: twoCompared.differences.length === 0,
      bothWorked: twoWorkers === 2,
    },
    {
      referenceRun: referenceRunId,
      run: twoId,
      referenceSeconds,
      seconds: secs(t0),
      workersUsed: twoWorkers,
      rows: twoCompared.rows,
      differences: twoCompared.differences,
    },
  );

  // (2) kill -9 inside a shard; a replacement worker is started at once.
  const killed = await proveKill9(cluster, setup, { replace: true });
  const killedCompared = await cluster.compareRuns(killed.runId, referenceRunId);
  const released = cluster.allWorkers.some((w) =>
    w.output.some(
      (l) => l.includes(`${killed.killedJobKey}: worker`) && l.includes(`-${killed.killedPid}-`) && l.includes('stopped responding'),
    ),
  );
  report(
    'kill -9 mid-shard',
    {
      published: killed.run.status === 'published',
      identical: killedCompared.differences.length === 0,
      retried: killed.killedJob.attempts >= 2,
      redoneElsewhere: !killed.killedJob.workerId?.includes(`-${killed.killedPid}-`),
      releasedByHeartbeat: released,
    },
    {
      run: killed.runId,
      killedJob: killed.killedJobKey,
      attempts: killed.killedJob.attempts,
      seconds: Number(killed.seconds.toFixed(1)),
      differences: killedCompared.differences,
    },
  );

  // (2b) A worker dead right after taking a job, before marking it active.
  const ghost = await proveDeathBeforeBegin(cluster, setup);
  const ghostCompared = await cluster.compareRuns(ghost.runId, referenceRunId);
  report(
    'death between taking a job and starting it',
    {
      published: ghost.run.status === 'published',
      identical: ghostCompared.differences.length === 0,
      doneOnceByALiveWorker: ghost.job.status === 'done' && ghost.job.attempts === 1 && !ghost.job.workerId?.includes('ghost'),
    },
    { run: ghost.runId, job: ghost.jobKey, seconds: Number(ghost.seconds.toFixed(1)), differences: ghostCompared.differences },
  );

  // (3) Postgres down mid-run.
  const downMs = int('down-ms');
  const restarted = await provePostgresRestart(cluster, setup, downMs);
  const restartCompared = await cluster.compareRuns(restarted.runId, referenceRunId);
  report(
    'Postgres restarted mid-run',
    {
      published: restarted.run.status === 'published',
      identical: restartCompared.differences.length === 0,
      midRun: restarted.jobsDoneAtRestart < restarted.jobsTotal,
      noWorkerLost: restarted.workersLost === 0,
    },
    {
      run: restarted.runId,
      downMs,
      jobsDoneAtRestart: restarted.jobsDoneAtRestart,
      jobsTotal: restarted.jobsTotal,
      seconds: Number(restarted.seconds.toFixed(1)),
      differences: restartCompared.differences,
    },
  );

  // SIGTERM inside a shard: the worker finishes it, then exits.
  const finished = await proveSigterm(cluster, setup, { replace: true });
  const finishedCompared = await cluster.compareRuns(finished.runId, referenceRunId);
  report(
    'SIGTERM finishes the current job',
    {
      exit0: finished.exitCode === 0,
      jobDoneByIt: finished.job.status === 'done' && finished.job.attempts === 1 && finished.job.workerId === finished.stoppedWorkerId,
      published: finished.run.status === 'published',
      identical: finishedCompared.differences.length === 0,
    },
    { run: finished.runId, job: finished.jobKey, attempts: finished.job.attempts, differences: finishedCompared.differences },
  );

  // SIGTERM past the stop timeout (1 s, inside a neuron shard, which takes longer): the job goes back to the queue and
  // another worker takes it — and redoes it, or finds it already done when the stopping worker's computation, which
  // cannot be interrupted, staged its result before exiting. Either way the result is there once.
  await cluster.stopWorkers();
  cluster.startWorker({ HEADWIKI_WORKER_STOP_TIMEOUT_MS: '1000' });
  await cluster.ready();
  const releasedRun = await proveSigterm(cluster, setup, { replace: true, scan: 'neurons' });
  const releasedCompared = await cluster.compareRuns(releasedRun.runId, referenceRunId);
  const takenOver = cluster.allWorkers.some(
    (w) => w.output !== releasedRun.output && w.output.some((l) => l.includes(`${releasedRun.runId} ${releasedRun.jobKey}: `)),
  );
  report(
    'SIGTERM past the stop timeout releases the job',
    {
      exit0: releasedRun.exitCode === 0,
      releasedInLog: releasedRun.output.some((l) => l.includes(`released ${releasedRun.runId} ${releasedRun.jobKey}`)),
      takenOverByAnotherWorker: takenOver,
      done: releasedRun.job.status === 'done',
      published: releasedRun.run.status === 'published',
      identical: releasedCompared.differences.length === 0,
    },
    { run: releasedRun.runId, job: releasedRun.jobKey, attempts: releasedRun.job.attempts, differences: releasedCompared.differences },
  );
} catch (err) {
  failures++;
  console.log(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
} finally {
  const log = cluster.allWorkers.map((w) => [`--- worker ${w.pid}`, ...w.output].join('\n')).join('\n');
  const logFile = `${os.tmpdir()}/headwiki-prove-queue.log`;
  fs.writeFileSync(logFile, log);
  console.log(JSON.stringify({ failures, workerLog: logFile, loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))) }));
  await cluster.close();
}
process.exit(failures === 0 ? 0 : 1);
