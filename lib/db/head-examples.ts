/**
 * Head examples (max-activating token windows with sparse attention) and the distribution of each head's
 * output norm, per run. Written while the run is running (one transaction per call), read by head pages
 * and /api/v1/models/{model}/heads/{L}/{H}/examples.
 */
import { getPrisma } from './client';
import { float32ToLeBytes, leBytesToFloat32 } from './float32-bytes';
import { LONG_TRANSACTION, lockRunForWriting } from './run-lock';
import { replaceHeadSearchTexts, searchTextRows } from './example-search-text';
import { parseInput, runIdSchema } from './validate';

export const HEAD_EXAMPLE_KINDS = ['top_norm', 'top_attention', 'quantile'] as const;
export type HeadExampleKindName = (typeof HEAD_EXAMPLE_KINDS)[number];

/** One stored example, as pages and the API read it. */
export interface StoredHeadExample {
  kind: HeadExampleKindName;
  rank: number;
  value: number;
  quantile: number | null;
  contextId: number;
  docIndex: number;
  /** Destination position in its context (0 = BOS) and context position of tokenIds[0]. */
  position: number;
  windowStart: number;
  tokenIds: number[];
  /** Vocabulary pieces of tokenIds. */
  tokens: string[];
  acts: number[];
  /** Per window row: [[source position, weight], …], best first. */
  attention: [number, number][][];
}

export interface HeadStats {
  tokens: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  quantiles: { quantile: number; value: number }[];
  normLo: number;
  normHi: number;
  normCounts: number[];
  attentionCounts: number[];
}

export interface HeadExamplesToSave {
  layer: number;
  head: number;
  examples: StoredHeadExample[];
  stats: HeadStats;
}

const MAX_ROWS_PER_INSERT = 2000;

/** Saves every head's examples and stats of a running run (overwrites those heads' earlier rows: retried jobs). */
export async function saveHeadExamples(runId: string, heads: HeadExamplesToSave[], sourcesPerRow: number): Promise<void> {
  parseInput(runIdSchema, runId, 'saveHeadExamples');
  if (!Number.isInteger(sourcesPerRow) || sourcesPerRow < 1)
    throw new Error(`saveHeadExamples: sourcesPerRow must be ≥ 1, got ${sourcesPerRow}`);
  await getPrisma().$transaction(async (tx) => {
    const dims = await lockRunForWriting(tx, runId, 'saveHeadExamples');
    const exampleRows = [];
    const statRows = [];
    for (const h of heads) {
      if (
        !Number.isInteger(h.layer) ||
        !Number.isInteger(h.head) ||
        h.layer < 0 ||
        h.head < 0 ||
        h.layer >= dims.nLayers ||
        h.head >= dims.nHeads
      ) {
        throw new Error(`saveHeadExamples: L${h.layer}H${h.head} is outside the model (${dims.nLayers} layers × ${dims.nHeads} heads)`);
      }
      for (const ex of h.examples) {
        if (
          ex.tokenIds.length !== ex.acts.length ||
          ex.tokenIds.length !== ex.attention.length ||
          ex.tokenIds.length !== ex.tokens.length
        ) {
          throw new Error(
            `saveHeadExamples: L${h.layer}H${h.head} ${ex.kind} #${ex.rank}: tokenIds, acts and attention rows must have one entry per window token`,
          );
        }
        if (ex.tokens.some((t) => t.includes('\u0000'))) {
          throw new Error(`saveHeadExamples: L${h.layer}H${h.head} ${ex.kind} #${ex.rank}: a token piece contains a NUL character`);
        }
        const sources: number[] = [];
        const weights = new Float32Array(ex.attention.length * sourcesPerRow);
        ex.attention.forEach((row, r) => {
          for (let j = 0; j < sourcesPerRow; j++) {
            sources.push(j < row.length ? row[j][0] : -1);
            weights[r * sourcesPerRow + j] = j < row.length ? row[j][1] : 0;
          }
        });
        exampleRows.push({
          runId,
          layer: h.layer,
          head: h.head,
          kind: ex.kind,
          rank: ex.rank,
          value: ex.value,
          quantile: ex.quantile,
          contextId: ex.contextId,
          docIndex: ex.docIndex,
          position: ex.position,
          windowStart: ex.windowStart,
          tokenIds: ex.tokenIds,
          tokens: ex.tokens,
          acts: float32ToLeBytes(Float32Array.from(ex.acts)),
          sourcesPerRow,
          attnSources: sources,
          attnWeights: float32ToLeBytes(weights),
        });
      }
      statRows.push({ runId, layer: h.layer, head: h.head, ...h.stats, quantiles: h.stats.quantiles });
    }
    const heads_ = heads.map(({ layer, head }) => ({ layer, head }));
    if (heads_.length > 0) {
      await tx.headExample.deleteMany({ where: { runId, OR: heads_ } });
      await tx.headActivationStats.deleteMany({ where: { runId, OR: heads_ } });
    }
    for (let i = 0; i < exampleRows.length; i += MAX_ROWS_PER_INSERT) {
      await tx.headExample.createMany({ data: exampleRows.slice(i, i + MAX_ROWS_PER_INSERT) });
    }
    await tx.headActivationStats.createMany({ data: statRows });
    // Text search's copy of the top examples' plain text, in the same transaction (lib/db/example-search-text.ts).
    const searchRows = heads.flatMap((h) => searchTextRows(runId, { unitKind: 'head', layer: h.layer, unit: h.head }, h.examples));
    await replaceHeadSearchTexts(tx, runId, heads_, searchRows);
  }, LONG_TRANSACTION);
}

/** A head's examples of one kind, by rank, after `afterRank` (keyset pagination). */
export async function getHeadExamples(
  runId: string,
  layer: number,
  head: number,
  opts: { kind: HeadExampleKindName; afterRank?: number; limit: number },
): Promise<StoredHeadExample[]> {
  const rows = await getPrisma().headExample.findMany({
    where: { runId, layer, head, kind: opts.kind, ...(opts.afterRank !== undefined ? { rank: { gt: opts.afterRank } } : {}) },
    orderBy: { rank: 'asc' },
    take: opts.limit,
  });
  return rows.map(decodeHeadExampleRow);
}

/** The columns of a HeadExample row that decodeHeadExampleRow reads. */
export interface HeadExampleRow {
  kind: string;
  rank: number;
  value: number;
  quantile: number | null;
  contextId: number;
  docIndex: number;
  position: number;
  windowStart: number;
  tokenIds: number[];
  tokens: string[];
  acts: Uint8Array;
  sourcesPerRow: number;
  attnSources: number[];
  attnWeights: Uint8Array;
}

/** A HeadExample row as stored → the example pages, the API and bulk export read (float32 bytes unpacked). */
export function decodeHeadExampleRow(r: HeadExampleRow): StoredHeadExample {
  const weights = leBytesToFloat32(r.attnWeights);
  const attention: [number, number][][] = [];
  for (let i = 0; i < r.tokenIds.length; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < r.sourcesPerRow; j++) {
      const src = r.attnSources[i * r.sourcesPerRow + j];
      if (src >= 0) row.push([src, weights[i * r.sourcesPerRow + j]]);
    }
    attention.push(row);
  }
  return {
    kind: r.kind as HeadExampleKindName,
    rank: r.rank,
    value: r.value,
    quantile: r.quantile,
    contextId: r.contextId,
    docIndex: r.docIndex,
    position: r.position,
    windowStart: r.windowStart,
    tokenIds: r.tokenIds,
    tokens: r.tokens,
    acts: Array.from(leBytesToFloat32(r.acts)),
    attention,
  };
}

export async function getHeadStats(runId: string, layer: number, head: number): Promise<HeadStats | null> {
  const r = await getPrisma().headActivationStats.findUnique({ where: { runId_layer_head: { runId, layer, head } } });
  if (!r) return null;
  const { runId: _r, layer: _l, head: _h, quantiles, ...rest } = r;
  return { ...rest, quantiles: quantiles as HeadStats['quantiles'] };
}

/** Whether the run has head examples at all (older runs do not). */
export async function runHasHeadExamples(runId: string): Promise<boolean> {
  return (await getPrisma().headActivationStats.count({ where: { runId }, take: 1 })) > 0;
}
