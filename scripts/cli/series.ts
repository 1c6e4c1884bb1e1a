/**
 * `series --name N --checkpoints <a.bin,b.bin,...|folder> [--steps 100,200,...] [--corpus F]`: a model as
 * checkpoints over training (issue 17). Each checkpoint gets a published run through the run pipeline (reused
 * when it has one), each neighbouring pair a diff (its losses and what changed), all on the work queue; the
 * series is written once they are all published, and printed with its address (`/series/{id}`).
 * Checkpoints are llama2.c `.bin` files, model folders, or hub revisions `hf:owner/name@rev` (downloaded first
 * with `download hf:owner/name --revision rev`); a folder gives its `.bin` files and sub-folders in name order.
 * Steps default to the last number in each checkpoint's name. Each checkpoint's run reads `--max-texts` (50) texts
 * for its head metrics and scans `--scan-documents` (100); the diffs read `--max-documents` (40).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { publicBaseUrl } from '@/lib/api/public-url';
import { createSeries } from '@/lib/db/checkpoint-series';
import { closePrisma } from '@/lib/db/client';
import { startBoss } from '@/lib/queue/boss';
import { openDatabase } from '../lib/database';
import { computeDiff } from './diff';
import { corpusFromFlag, ensurePublishedRun, positiveInt, startLocalWorkers } from './queue-session';

export async function seriesCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      checkpoints: { type: 'string' },
      steps: { type: 'string' },
      corpus: { type: 'string' },
      workers: { type: 'string' },
      'max-documents': { type: 'string', default: '40' },
      'max-texts': { type: 'string', default: '50' },
      'scan-documents': { type: 'string', default: '100' },
    },
  });
  if (!values.name) throw new Error('--name is required (what the series page is titled)');
  if (!values.checkpoints) throw new Error('--checkpoints is required: a comma-separated list of checkpoints, or a folder of them');
  const checkpoints = listCheckpoints(values.checkpoints);
  const steps = values.steps ? values.steps.split(',').map((s) => Number(s.trim())) : checkpoints.map(stepOf);
  if (steps.length !== checkpoints.length) throw new Error(`--steps has ${steps.length} values for ${checkpoints.length} checkpoints`);
  steps.forEach((s, i) => {
    if (!Number.isInteger(s) || (i > 0 && s <= steps[i - 1]))
      throw new Error(`steps must be increasing integers (checkpoint ${checkpoints[i]} has step ${s}); give them with --steps`);
  });
  const maxDocuments = positiveInt(values['max-documents']!, '--max-documents');
  // Each checkpoint's run: fewer texts and scanned documents than a model's main run, since a series has many.
  const runOptions = {
    maxTexts: positiveInt(values['max-texts']!, '--max-texts'),
    scanDocuments: positiveInt(values['scan-documents']!, '--scan-documents'),
  };
  const corpus = await corpusFromFlag(values.corpus);

  const log = (msg: string) => console.error(`[headwiki] ${msg}`);
  const db = await openDatabase(log);
  const boss = await startBoss({ databaseUrl: process.env.DATABASE_URL!, onError: () => {} });
  let stopWorkers: () => Promise<void> = async () => {};
  try {
    stopWorkers = await startLocalWorkers(values.workers, log);
    const runs = [];
    for (const [i, ref] of checkpoints.entries()) {
      log(`checkpoint ${i + 1}/${checkpoints.length} (step ${steps[i]}): ${ref}`);
      runs.push(await ensurePublishedRun(boss, ref, corpus, log, runOptions));
    }
    const diffIds: (string | null)[] = [null];
    for (let i = 1; i < checkpoints.length; i++) {
      log(`diff ${i}/${checkpoints.length - 1}: step ${steps[i - 1]} → ${steps[i]}`);
      const diff = await computeDiff(
        boss,
        { refA: checkpoints[i - 1], refB: checkpoints[i], corpus, shards: 1, maxDocuments, weightProcessing: 'tl', reuse: true },
        log,
      );
      diffIds.push(diff.id);
    }
    const series = await createSeries({
      name: values.name,
      checkpoints: runs.map((run, i) => ({ step: steps[i], runId: run.id, diffId: diffIds[i] })),
    });
    console.log(
      JSON.stringify({ series: series.id, url: `${publicBaseUrl()}/series/${series.id}`, checkpoints: series.checkpoints.length }, null, 2),
    );
  } finally {
    await stopWorkers();
    await boss.stop({ graceful: false }).catch(() => {});
    await closePrisma();
    await db.stop();
  }
}

/** A comma-separated list, or a folder's `.bin` files and sub-folders in name order. */
export function listCheckpoints(arg: string): string[] {
  const stat = fs.statSync(arg, { throwIfNoEntry: false });
  if (stat?.isDirectory() && !fs.existsSync(path.join(arg, 'config.json'))) {
    const entries = fs
      .readdirSync(arg, { withFileTypes: true })
      .filter((e) => (e.isFile() && e.name.endsWith('.bin') && !e.name.startsWith('tok')) || e.isDirectory())
      .map((e) => path.join(arg, e.name))
      .sort();
    if (entries.length === 0) throw new Error(`${arg}: no checkpoints (.bin files or model folders) in it`);
    return entries;
  }
  const list = arg
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new Error('--checkpoints is empty');
  return list;
}

/** The last number in a checkpoint's name (`step0400.bin` → 400, `hf:EleutherAI/pythia-70m@step3000` → 3000). */
export function stepOf(ref: string): number {
  const numbers = path.basename(ref).match(/\d+/g);
  if (!numbers) throw new Error(`no step number in ${JSON.stringify(ref)}: give the steps with --steps`);
  return Number(numbers[numbers.length - 1]);
}
