/**
 * Speed-up from 1 to N worker processes on one run (wall time from planning to published), measured in the
 * same invocation against the 1-worker baseline.
 *
 *   npx tsx scripts/bench/workers.ts [--model stories260K] [--workers 1,2] [--repeat 2] [--shards 4]
 *                                   [--scan-documents 60] [--max-texts 200]
 *
 * A throw-away embedded Postgres. Worker counts run in ABBA order (1,2,2,1 for --repeat 2) so that a drift in the
 * machine's load hits both alike; each run gets fresh worker processes started before it is planned (their start-up
 * is not timed, their model loading is, as in a real run). Per run it prints the wall time and the busy time (sum of
 * job durations), so "parallel efficiency" = busy / (workers × wall); then the median wall time per worker count and
 * the speed-up against 1 worker. The finalize job (merge, labels, minimal examples, writes) runs on one worker
 * whatever the count: it is printed separately, and the speed-up of the part before it (what more workers can
 * shorten) is printed besides the whole run's.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { getPrisma } from '@/lib/db/client';
import { bundledCorpora, readDocuments } from '@/workers/corpus-files';
import { QueueCluster } from '@/workers/queue-testing/proofs';
import { repoRoot } from '../lib/paths';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'stories260K' },
    workers: { type: 'string', default: '1,2' },
    repeat: { type: 'string', default: '2' },
    shards: { type: 'string', default: '4' },
    'scan-documents': { type: 'string', default: '60' },
    'max-texts': { type: 'string', default: '200' },
  },
});
const counts = values.workers!.split(',').map(Number);
const repeat = Number(values.repeat);
if (counts.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(repeat) || repeat < 1)
  throw new Error('--workers must list positive integers; --repeat must be a positive integer');
// ABBA: forwards, then backwards, and so on.
const order = Array.from({ length: repeat }, (_, i) => (i % 2 === 0 ? counts : [...counts].reverse())).flat();

// A long stale time: a worker busy on a large shard on a loaded machine must never be taken for dead here.
const cluster = await QueueCluster.start({ HEADWIKI_WORKER_STALE_S: '120' });
const documents = await readDocuments(bundledCorpora(repoRoot)[0].path);
const setup = {
  modelRef: values.model!,
  documents,
  maxTexts: Number(values['max-texts']),
  scanDocuments: Number(values['scan-documents']),
  shards: Number(values.shards),
  seed: 0,
};
const rows: {
  workers: number;
  seconds: number;
  busySeconds: number;
  finalizeSeconds: number;
  efficiency: number;
  tokens: number;
  jobs: number;
}[] = [];
console.log(
  JSON.stringify({
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
    setup: { ...setup, documents: documents.length },
    order,
  }),
);
try {
  for (const n of order) {
    const workers = Array.from({ length: n }, () => cluster.startWorker());
    await cluster.ready(workers);
    const t0 = Date.now();
    const runId = await cluster.plan(setup);
    const run = await cluster.waitForRun(runId, 3_600_000);
    const seconds = (Date.now() - t0) / 1000;
    if (run.status !== 'published') throw new Error(`run ${runId} ${run.status}: ${run.error}`);
    const jobs = await getPrisma().runJob.findMany({
      where: { runId },
      select: { kind: true, startedAt: true, finishedAt: true, tokensTotal: true },
    });
    const jobSeconds = (j: (typeof jobs)[number]) =>
      j.startedAt && j.finishedAt ? (j.finishedAt.getTime() - j.startedAt.getTime()) / 1000 : 0;
    const busySeconds = jobs.reduce((a, j) => a + jobSeconds(j), 0);
    const finalizeSeconds = jobs.filter((j) => j.kind === 'finalize').reduce((a, j) => a + jobSeconds(j), 0);
    const row = {
      workers: n,
      seconds: round(seconds),
      busySeconds: round(busySeconds),
      finalizeSeconds: round(finalizeSeconds),
      efficiency: round(busySeconds / (n * seconds), 2),
      tokens: jobs.reduce((a, j) => a + j.tokensTotal, 0),
      jobs: jobs.length,
    };
    rows.push(row);
    console.log(JSON.stringify({ ...row, loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))) }));
    await Promise.all(workers.map((w) => w.stop()));
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const medians = Object.fromEntries(counts.map((n) => [n, median(rows.filter((r) => r.workers === n).map((r) => r.seconds))]));
  const base = medians[counts[0]];
  // The part before finalize: what more workers can speed up.
  const spread = Object.fromEntries(
    counts.map((n) => [n, median(rows.filter((r) => r.workers === n).map((r) => r.seconds - r.finalizeSeconds))]),
  );
  console.log(
    JSON.stringify({
      medianSeconds: medians,
      speedup: Object.fromEntries(counts.map((n) => [`${n}`, round(base / medians[n], 2)])),
      medianSecondsBeforeFinalize: Object.fromEntries(counts.map((n) => [n, round(spread[n])])),
      speedupBeforeFinalize: Object.fromEntries(counts.map((n) => [`${n}`, round(spread[counts[0]] / spread[n], 2)])),
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
    }),
  );
} finally {
  await cluster.close();
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
