/**
 * Head examples for a whole corpus in one process (npm start, tests): calibrate, scan every document as one
 * shard, finalize. The queue (helper jobs) runs the same three steps with scanHeadShard per shard and
 * mergeHeadShards before finalizing.
 */
import type { ForwardRunner } from '@/lib/engine/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { HeadExamplesToSave } from '@/lib/db/head-examples';
import { finalizeHeadExamples } from './merge';
import { calibrateHeadExamples, scanHeadShard, type ScanModelShape } from './scan';
import { headExamplesToSave } from './to-stored';
import { headExampleOptionsFor, type HeadExampleOptions } from './types';

export interface ComputeHeadExamplesInput {
  cfg: ScanModelShape;
  runner: ForwardRunner;
  tokenizer: Tokenizer;
  documents: string[];
  options?: Partial<HeadExampleOptions>;
  onProgress?: (p: { contexts: number; total: number; tokens: number }) => void;
}

export interface ComputedHeadExamples {
  heads: HeadExamplesToSave[];
  options: HeadExampleOptions;
  contexts: number;
  tokens: number;
}

export async function computeHeadExamples(input: ComputeHeadExamplesInput): Promise<ComputedHeadExamples> {
  const options = { ...headExampleOptionsFor(input.cfg), ...input.options };
  const documents = input.documents.map((text, index) => ({ index, text }));
  const common = { cfg: input.cfg, runner: input.runner, tokenizer: input.tokenizer, options };
  const normRanges = await calibrateHeadExamples({ ...common, documents });
  const shard = await scanHeadShard({ ...common, documents, normRanges, onProgress: input.onProgress });
  const sets = finalizeHeadExamples(shard);
  return {
    heads: sets.map((s) => headExamplesToSave(s, shard.tokens, (id) => input.tokenizer.piece(id))),
    options,
    contexts: shard.contexts,
    tokens: shard.tokens,
  };
}
