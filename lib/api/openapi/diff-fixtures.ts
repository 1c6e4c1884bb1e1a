/**
 * The published diff and checkpoint series the OpenAPI examples name (DIFF_EXAMPLE), between the two example
 * runs: seeded through the same calls the workers use (createDiff, createDiffJobs, stageDiffJobResult,
 * publishDiffFromJobs), with a black box of planted values and no white box.
 */
import { upsertCorpus } from '@/lib/db/corpora';
import { getPrisma } from '@/lib/db/client';
import { createDiffJobs, publishDiffFromJobs, stageDiffJobResult } from '@/lib/db/diff-jobs';
import { createDiff } from '@/lib/db/diffs';
import { FINALIZE_JOB_KEY } from '@/lib/db/run-jobs';
import { EXAMPLE } from './common';
import { DIFF_EXAMPLE } from './diffs';

export const FIXTURE_DIFF_CORPUS = 'diff-fixture';

export function fixtureBlackBox(a: string, b: string) {
  const info = (slug: string) => ({ slug, architecture: 'llama', nLayers: 5, nHeads: 8, dModel: 64, dMlp: 172, dVocab: 512, nCtx: 512 });
  const segment = (text: string, logProbA: number, logProbB: number, charStart: number) => ({
    charStart,
    charEnd: charStart + text.length,
    text,
    logProbA,
    logProbB,
    tokensA: 1,
    tokensB: 1,
  });
  return {
    kind: 'black-box',
    formatVersion: 1,
    a: info(a),
    b: info(b),
    alignment: {
      method: 'tokens',
      description: 'Both models use the same tokenizer: compared token by token.',
      sameVocabulary: true,
      documents: { tokens: 2, characters: 0, document: 0 },
      segments: 6,
    },
    documents: 2,
    characters: 40,
    lossA: { tokens: 6, lossPerToken: 2.5, natsPerCharacter: 0.375 },
    lossB: { tokens: 6, lossPerToken: 2.0, natsPerCharacter: 0.3 },
    meanSegmentDiff: 0.5,
    meanAbsSegmentDiff: 0.75,
    topForB: [{ document: 0, diff: 2, prefix: 'The cat ', segments: [segment(' sat', -3, -1, 8)], focus: 0, tokensA: [], tokensB: [] }],
    topForA: [{ document: 1, diff: -1, prefix: 'A dog ', segments: [segment(' ran', -1, -2, 6)], focus: 0, tokensA: [], tokensB: [] }],
    continuations: [
      {
        prompt: 'Once upon a time',
        maxNewTokens: 4,
        a: { text: ' there was', tokens: [], stoppedAtEos: false },
        b: { text: ' a girl', tokens: [], stoppedAtEos: false },
      },
    ],
    tasks: [],
    bestTextForB: null,
    bestTextForA: null,
  };
}

export async function seedDiffFixtures(): Promise<void> {
  await upsertCorpus({
    slug: FIXTURE_DIFF_CORPUS,
    name: 'diff fixture',
    source: 'test',
    license: 'CC0',
    documents: ['The cat sat.', 'A dog ran.'],
  });
  const diff = await createDiff({
    runAId: EXAMPLE.runId,
    runBId: EXAMPLE.otherRunId,
    corpusSlug: FIXTURE_DIFF_CORPUS,
    options: { whiteBox: false },
    codeVersion: 'fixture',
    seed: 0,
  });
  const prisma = getPrisma();
  // Fixed ids, so the documented examples name them.
  await prisma.modelDiff.update({ where: { id: diff.id }, data: { id: DIFF_EXAMPLE.diffId } });
  await createDiffJobs(DIFF_EXAMPLE.diffId, [
    { jobKey: 'diff-shard:0000/1', kind: 'diff-shard' },
    { jobKey: FINALIZE_JOB_KEY, kind: 'diff-finalize' },
  ]);
  await stageDiffJobResult(DIFF_EXAMPLE.diffId, 'diff-shard:0000/1', Buffer.from('{}'));
  await publishDiffFromJobs(DIFF_EXAMPLE.diffId, { 'black-box': fixtureBlackBox(EXAMPLE.model, EXAMPLE.model) });
  await prisma.checkpointSeries.create({ data: { id: DIFF_EXAMPLE.seriesId, name: 'fixture series' } });
  await prisma.seriesCheckpoint.createMany({
    data: [
      { seriesId: DIFF_EXAMPLE.seriesId, position: 0, step: 100, runId: EXAMPLE.runId, diffId: null },
      { seriesId: DIFF_EXAMPLE.seriesId, position: 1, step: 200, runId: EXAMPLE.otherRunId, diffId: DIFF_EXAMPLE.diffId },
    ],
  });
}
