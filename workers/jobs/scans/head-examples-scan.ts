/** The head-examples scan (workers/head-examples) as queue shards: calibrate once, scan shards, merge exactly. */
import { saveHeadExamples } from '@/lib/db/head-examples';
import type { HistogramRange } from '@/lib/metrics/streaming';
import { finalizeHeadExamples, mergeHeadShards } from '../../head-examples/merge';
import { calibrateHeadExamples, scanHeadShard } from '../../head-examples/scan';
import { headExamplesToSave } from '../../head-examples/to-stored';
import { headExampleOptionsFor, type HeadShardResult } from '../../head-examples/types';
import type { CorpusScan } from '../corpus-scans';

export const headExamplesScan: CorpusScan<HeadShardResult, HistogramRange[]> = {
  id: 'head-examples',
  calibrate: ({ model, runner, tokenizer, corpus }) =>
    calibrateHeadExamples({ cfg: model.cfg, runner, tokenizer, documents: corpus, options: headExampleOptionsFor(model.cfg) }),
  scanShard: ({ model, runner, tokenizer, documents, calibration, onTokens }) =>
    scanHeadShard({
      cfg: model.cfg,
      runner,
      tokenizer,
      documents,
      options: headExampleOptionsFor(model.cfg),
      normRanges: calibration,
      // Tokens of the shard are known only at the end; report contexts as a fraction of an estimate.
      onProgress: (p) => onTokens(p.tokens, p.contexts > 0 ? Math.max(p.tokens, Math.round((p.tokens * p.total) / p.contexts)) : 0),
    }),
  async mergeAndSave(runId, corpora, { model, tokenizer, layer }) {
    const own = corpora.filter((c) => !c.comparison);
    if (own.length !== 1 || corpora.length !== 1) throw new Error("head examples scan the run's own corpus only");
    const merged = mergeHeadShards(own[0].shards);
    const sets = finalizeHeadExamples(merged).filter((s) => layer === undefined || s.layer === layer);
    const options = headExampleOptionsFor(model.cfg);
    await saveHeadExamples(
      runId,
      sets.map((s) => headExamplesToSave(s, merged.tokens, (id) => tokenizer.piece(id))),
      options.sourcesPerRow,
    );
    return { headExamples: { ...options, contexts: merged.contexts, tokens: merged.tokens } };
  },
};
