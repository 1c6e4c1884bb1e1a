/**
 * `diff --a <model> --b <model> [--corpus F]`: what changed between two models (issue 17). Each side's
 * latest published run is used (a model without one gets a run first, through the run pipeline); the diff
 * is planned as queue jobs (`--shards`, default 2), computed by the workers (`--workers N` starts N here,
 * default one when none polls), followed with a progress bar and printed as JSON with its citable address.
 * A published diff of the same two runs, corpus and options is reused rather than recomputed (`--new` forces one).
 */
import { parseArgs } from 'node:util';
import { closePrisma } from '@/lib/db/client';
import { getDiffProgress } from '@/lib/db/diff-progress';
import { findPublishedDiffs, type DiffInfo } from '@/lib/db/diffs';
import { publicBaseUrl } from '@/lib/api/public-url';
import { startBoss } from '@/lib/queue/boss';
import { codeVersion } from '@/workers/code-version';
import { planDiff } from '@/workers/plan-diff';
import { parseWeightProcessingRequest } from '@/workers/weight-processing';
import { openDatabase } from '../lib/database';
import { repoRoot } from '../lib/paths';
import { corpusFromFlag, ensurePublishedRun, followProgress, positiveInt, startLocalWorkers, type CorpusInput } from './queue-session';
import type PgBoss from 'pg-boss';

export async function diffCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      corpus: { type: 'string' },
      shards: { type: 'string', default: '2' },
      workers: { type: 'string' },
      'max-documents': { type: 'string', default: '100' },
      'weight-processing': { type: 'string', default: 'tl' },
      new: { type: 'boolean', default: false },
      'max-texts': { type: 'string' },
      'scan-documents': { type: 'string' },
    },
  });
  if (!values.a || !values.b) throw new Error('--a and --b are required (model names, checkpoint paths or folders)');
  const shards = positiveInt(values.shards!, '--shards');
  const maxDocuments = positiveInt(values['max-documents']!, '--max-documents');
  const weightProcessing = parseWeightProcessingRequest(values['weight-processing']) as 'tl' | 'none';
  const corpus = await corpusFromFlag(values.corpus);
  // For a model without a published run: what its run reads (as `run`'s flags; default the same as `run`).
  const runOptions = {
    ...(values['max-texts'] ? { maxTexts: positiveInt(values['max-texts'], '--max-texts') } : {}),
    ...(values['scan-documents'] ? { scanDocuments: positiveInt(values['scan-documents'], '--scan-documents') } : {}),
  };

  const log = (msg: string) => console.error(`[headwiki] ${msg}`);
  const db = await openDatabase(log);
  const boss = await startBoss({ databaseUrl: process.env.DATABASE_URL!, onError: () => {} });
  let stopWorkers: () => Promise<void> = async () => {};
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping the local workers; the diff stays on the queue`);
    void stopWorkers()
      .then(() => db.stop())
      .finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    stopWorkers = await startLocalWorkers(values.workers, log);
    const diff = await computeDiff(
      boss,
      { refA: values.a, refB: values.b, corpus, shards, maxDocuments, weightProcessing, reuse: !values.new, runOptions },
      log,
    );
    console.log(JSON.stringify(diffSummary(diff), null, 2));
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await stopWorkers();
    await boss.stop({ graceful: false }).catch(() => {});
    await closePrisma();
    await db.stop();
  }
}

export interface ComputeDiffInput {
  refA: string;
  refB: string;
  corpus: CorpusInput;
  shards: number;
  maxDocuments: number;
  weightProcessing: 'tl' | 'none';
  reuse: boolean;
  /** What a missing run reads (ensurePublishedRun). */
  runOptions?: { maxTexts?: number; scanDocuments?: number };
}

/** Both runs (computed when missing), then the diff: reused when published with the same inputs, else planned and followed. */
export async function computeDiff(boss: PgBoss, input: ComputeDiffInput, log: (msg: string) => void): Promise<DiffInfo> {
  const runA = await ensurePublishedRun(boss, input.refA, input.corpus, log, input.runOptions);
  const runB = await ensurePublishedRun(boss, input.refB, input.corpus, log, input.runOptions);
  const maxDocuments = Math.min(input.maxDocuments, input.corpus.documents.length);
  if (input.reuse) {
    const same = (await findPublishedDiffs(runA.id, runB.id)).find(
      (d) =>
        d.corpusSlug === input.corpus.slug &&
        d.options.maxDocuments === maxDocuments &&
        d.options.weightProcessing === input.weightProcessing,
    );
    if (same) {
      log(`diff ${same.id} of these runs and corpus is already published: reusing it (--new computes another)`);
      return same;
    }
  }
  const { diff, jobs } = await planDiff(boss, {
    runA,
    runB,
    modelRefA: input.refA,
    modelRefB: input.refB,
    corpus: input.corpus,
    maxDocuments,
    shards: input.shards,
    codeVersion: codeVersion(repoRoot),
    seed: 0,
    weightProcessing: input.weightProcessing,
  });
  log(
    `diff ${diff.id}: ${runA.modelSlug} (run ${runA.id}) → ${runB.modelSlug} (run ${runB.id}), ${jobs.length} shard job(s) + finalize queued`,
  );
  const final = await followProgress(() => getDiffProgress(diff.id), `diff ${diff.id}`, { name: 'documents', rate: 'doc/s' });
  if (final.status !== 'published') throw new Error(`diff ${diff.id} ${final.status}: ${final.error ?? 'unknown error'}`);
  return diff;
}

function diffSummary(diff: DiffInfo) {
  return {
    diff: diff.id,
    url: `${publicBaseUrl()}/diffs/${diff.id}`,
    a: diff.a,
    b: diff.b,
    corpus: diff.corpusSlug,
    whiteBox: diff.options.whiteBox,
  };
}
