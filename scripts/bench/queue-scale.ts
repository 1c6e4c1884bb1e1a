/**
 * A whole queued run at a research model's size (issue 15): the GPT-2-small shape with random weights and the GPT-2
 * tokenizer (../shared/data), over N TinyStories documents with the default run definition (head metrics,
 * composition, labels, head examples, neurons on the stories and on the Python comparison corpus), on W workers:
 *
 *   npx tsx scripts/bench/queue-scale.ts [--documents 2000] [--workers 2] [--shards 8] [--max-texts 100]
 *
 * A throw-away embedded Postgres and a random checkpoint in a temp folder (deleted after). Prints per stage its
 * wall time, tokens and tokens/s (every worker together), the database bytes the run left per head and per neuron
 * (tables with their indexes and TOAST; the run is the database's only one), the staged (temporary) job results, and
 * per worker its peak RSS (sampled from /proc every 2 s, and the kernel's high-water mark) and CPU seconds. When the
 * run fails: every job's recorded error and the end of each worker's log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { getPrisma } from '@/lib/db/client';
import { getRunProgress } from '@/lib/db/run-progress';
import { randomModel } from '@/lib/engine/random-model';
import { gpt2Family } from '@/lib/models/hf/gpt2';
import { writeHfFolder } from '@/lib/models/hf/write-hf-folder';
import { readDocuments } from '@/workers/corpus-files';
import { QueueCluster } from '@/workers/queue-testing/proofs';
import { repoPath } from '../testing/shared-data';
import { GPT2_SMALL } from './shapes';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '2' },
    shards: { type: 'string', default: '8' },
    'max-texts': { type: 'string', default: '100' },
  },
});
const int = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${values[name]}"`);
  return n;
};
const documentCount = int('documents');

const HEAD_TABLES = [
  'HeadMetric',
  'HeadPattern',
  'HeadComposition',
  'CompositionBaseline',
  'HeadLabel',
  'HeadExample',
  'HeadActivationStats',
];
const NEURON_TABLES = ['NeuronLayerStats', 'NeuronStats', 'NeuronExamples'];

async function tableBytes(url: string): Promise<{ table: Record<string, number>; searchHeadShare: number; staged: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ relname: string; bytes: string }>(
      `SELECT relname, pg_total_relation_size(relid)::bigint AS bytes FROM pg_catalog.pg_statio_user_tables WHERE schemaname = 'public'`,
    );
    // Text search rows are heads' and neurons' alike: split the table's size by their share of row bytes.
    const { rows: share } = await c.query<{ unit: string; bytes: string }>(
      `SELECT "unitKind" AS unit, sum(pg_column_size(t.*))::bigint AS bytes FROM "ExampleSearchText" t GROUP BY 1`,
    );
    const { rows: staged } = await c.query<{ bytes: string }>(
      `SELECT coalesce(sum(octet_length(result)), 0)::bigint AS bytes FROM "RunJob"`,
    );
    const head = Number(share.find((s) => s.unit === 'head')?.bytes ?? 0);
    const all = share.reduce((a, s) => a + Number(s.bytes), 0);
    return {
      table: Object.fromEntries(rows.map((r) => [r.relname, Number(r.bytes)])),
      searchHeadShare: all > 0 ? head / all : 0,
      staged: Number(staged[0].bytes),
    };
  } finally {
    await c.end();
  }
}

/** A worker process' resident set now and at its peak (VmHWM), in bytes, and its CPU seconds (Linux /proc). */
function processUsage(pid: number): { rss: number; hwm: number; cpuSeconds: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    // utime and stime: fields 14 and 15 of /proc/pid/stat, after the command name in parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM'), cpuSeconds: ticks / 100 };
  } catch {
    return null; // exited
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-queue-scale-'));
const cluster = await QueueCluster.start({ HEADWIKI_WORKER_STALE_S: '600' });
try {
  // The checkpoint every worker loads by path: GPT-2 small's shape, random weights, the real GPT-2 tokenizer.
  const modelDir = path.join(tmp, 'gpt2-small-shaped');
  const model = randomModel({ ...GPT2_SMALL, model_name: 'gpt2-small-shaped' }, { seed: 1 });
  model.weights.delete('unembed.b_U'); // GPT-2 has none (and its folder cannot store one)
  await writeHfFolder(modelDir, model, gpt2Family);
  for (const f of ['vocab.json', 'merges.txt']) fs.copyFileSync(repoPath(`../shared/data/tokenizers/gpt2/${f}`), path.join(modelDir, f));
  const documents = await readDocuments(repoPath('../shared/data/corpora/tinystories/tinystories_val_head.txt'), documentCount);
  const comparisonDocuments = await readDocuments(repoPath('data/corpora/python-stdlib-sample.txt'), documentCount);
  const setup = {
    modelRef: modelDir,
    documents,
    comparisonDocuments,
    maxTexts: int('max-texts'),
    scanDocuments: documents.length,
    shards: int('shards'),
    seed: 0,
  };
  console.log(
    JSON.stringify({
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
      documents: documents.length,
      comparisonDocuments: comparisonDocuments.length,
      workers: int('workers'),
      shards: setup.shards,
      maxTexts: setup.maxTexts,
    }),
  );
  const workers = Array.from({ length: int('workers') }, () => cluster.startWorker());
  await cluster.ready(workers);
  const t0 = Date.now();
  const runId = await cluster.plan(setup);
  let lastLine = '';
  const usage = workers.map(() => ({ peakRss: 0, hwm: 0, cpuSeconds: 0 }));
  const sampler = setInterval(() => {
    workers.forEach((w, i) => {
      const u = processUsage(w.pid);
      if (!u) return;
      usage[i].peakRss = Math.max(usage[i].peakRss, u.rss);
      usage[i].hwm = Math.max(usage[i].hwm, u.hwm);
      usage[i].cpuSeconds = u.cpuSeconds;
    });
  }, 2_000);
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  const printUsage = () =>
    usage.forEach((u, i) =>
      console.log(
        `worker ${i + 1} (pid ${workers[i].pid}): peak RSS ${gib(u.peakRss)} (high-water mark ${gib(u.hwm)}), ${u.cpuSeconds.toFixed(0)} CPU s`,
      ),
    );
  const timer = setInterval(() => {
    void getRunProgress(runId).then((p) => {
      const line = p?.stages.map((s) => `${s.stage} ${s.jobs.done}/${s.jobs.total}`).join(', ') ?? '';
      if (line !== lastLine) console.error(`  [${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`);
      lastLine = line;
    });
  }, 10_000);
  const run = await cluster.waitForRun(runId, 24 * 3_600_000).finally(() => {
    clearInterval(timer);
    clearInterval(sampler);
  });
  const seconds = (Date.now() - t0) / 1000;
  if (run.status !== 'published') {
    console.log(`\nrun ${runId} ${run.status} after ${seconds.toFixed(0)} s: ${run.error}`);
    const jobs = await getPrisma().runJob.findMany({
      where: { runId, error: { not: null } },
      select: { jobKey: true, status: true, error: true },
    });
    for (const j of jobs) console.log(`  ${j.jobKey} (${j.status}): ${j.error}`);
    printUsage();
    cluster.allWorkers.forEach((w, i) => console.log(`--- worker ${i + 1} log (last 40 lines)\n${w.output.slice(-40).join('\n')}`));
    throw new Error(`run ${runId} ${run.status}: ${run.error}`);
  }

  const progress = (await getRunProgress(runId))!;
  console.log(`\nrun ${runId} published in ${seconds.toFixed(0)} s on ${workers.length} workers`);
  printUsage();
  console.log(`${'stage'.padEnd(34)}${'jobs'.padStart(6)}${'wall s'.padStart(9)}${'tokens'.padStart(12)}${'tokens/s'.padStart(10)}`);
  for (const s of progress.stages) {
    console.log(
      `${s.stage.padEnd(34)}${String(s.jobs.total).padStart(6)}${s.seconds.toFixed(0).padStart(9)}${s.tokens.total.toLocaleString('en-US').padStart(12)}` +
        `${(s.tokensPerSecond === null ? '–' : s.tokensPerSecond.toFixed(0)).padStart(10)}`,
    );
  }

  const { table, searchHeadShare, staged } = await tableBytes(cluster.db.url);
  const cfg = model.cfg;
  const heads = cfg.n_layers * cfg.n_heads;
  const neurons = cfg.n_layers * cfg.d_mlp;
  const search = table.ExampleSearchText ?? 0;
  const headBytes = HEAD_TABLES.reduce((a, t) => a + (table[t] ?? 0), 0) + search * searchHeadShare;
  const neuronBytes = NEURON_TABLES.reduce((a, t) => a + (table[t] ?? 0), 0) + search * (1 - searchHeadShare);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(`\ndatabase bytes (tables + indexes + TOAST):`);
  for (const t of [...HEAD_TABLES, ...NEURON_TABLES, 'ExampleSearchText'])
    console.log(`  ${t.padEnd(22)}${mb(table[t] ?? 0).padStart(12)}`);
  console.log(`  per head:   ${(headBytes / heads / 1024).toFixed(1)} KiB (${heads} heads, ${mb(headBytes)})`);
  console.log(
    `  per neuron: ${(neuronBytes / neurons / 1024).toFixed(1)} KiB (${neurons} neurons × sites pre/post × 2 corpora, ${mb(neuronBytes)})`,
  );
  console.log(`  staged job results (RunJob.result, kept with the run): ${mb(staged)}`);
  console.log(
    JSON.stringify({
      seconds,
      stages: progress.stages.map((s) => ({
        stage: s.stage,
        seconds: Math.round(s.seconds),
        tokens: s.tokens.total,
        tokensPerSecond: s.tokensPerSecond,
      })),
      bytesPerHead: Math.round(headBytes / heads),
      bytesPerNeuron: Math.round(neuronBytes / neurons),
      stagedBytes: staged,
      workers: usage.map((u) => ({ peakRssBytes: u.peakRss, highWaterMarkBytes: u.hwm, cpuSeconds: Math.round(u.cpuSeconds) })),
    }),
  );
} finally {
  await cluster.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
