/** Job `corpus-shard`: one shard of a registered corpus scan. */
import type { CorpusShardJob } from '@/lib/queue/payloads';
import { findCorpusScan, shardRange } from './corpus-scans';
import type { JobContext } from './job-context';

export async function runCorpusShardJob(
  job: CorpusShardJob,
  context: JobContext,
  onTokens: (done: number, total: number) => void,
): Promise<unknown> {
  const scan = findCorpusScan(job.scan);
  if (!scan) throw new Error(`corpus scan "${job.scan}" is not registered in this worker (workers/jobs/corpus-scans.ts); is it an older version?`);
  const { model, tokenizer, runner } = await context.loadModel(job.modelRef);
  const all = await context.corpusDocuments(job.corpusSlug);
  const { start, end } = shardRange(all.length, job.shardIndex, job.shardCount);
  const documents = all.slice(start, end).map((text, i) => ({ index: start + i, text }));
  return scan.scanShard({ model, tokenizer, runner, documents, seed: job.seed, onTokens });
}
