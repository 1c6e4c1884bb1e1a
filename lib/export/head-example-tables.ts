/** A run's head examples as an export table: one row per stored example, with its token window and attention. */
import { Prisma } from '@/lib/generated/prisma/client';
import { getPrisma } from '@/lib/db/client';
import { decodeHeadExampleRow, type HeadExampleRow } from '@/lib/db/head-examples';
import { headName } from '@/lib/format/head-name';
import type { ExportTable } from './types';

type HeadExampleKey = { layer: number; head: number; kind: string; rank: number };

export const headExamplesExport: ExportTable<HeadExampleKey> = {
  id: 'head-examples',
  title: 'Head examples',
  description:
    'Every stored example of every head (top by output norm, top by attention, quantile samples): the token window, the ranking value ' +
    "on every token and the head's best sources from every token.",
  columns: [
    { name: 'layer', description: 'Layer, 0-based.' },
    { name: 'head', description: 'Head, 0-based.' },
    { name: 'name', description: 'L{layer}H{head}.' },
    { name: 'kind', description: 'top_norm, top_attention or quantile.' },
    { name: 'rank', description: "Rank within the kind (0 = best); for quantile samples, the quantile's index." },
    { name: 'quantile', description: 'Quantile samples: which quantile (empty otherwise).' },
    { name: 'value', description: 'Ranking value at the destination token (‖hook_result‖ or max non-BOS attention).' },
    { name: 'doc_index', description: 'Document index in the corpus.' },
    { name: 'context_id', description: 'Global context id (document × 1024 + chunk).' },
    { name: 'position', description: 'Destination token position in its context (0 = BOS).' },
    { name: 'window_start', description: 'Context position of the first window token.' },
    { name: 'token_ids', description: 'Window token ids (JSON).' },
    { name: 'tokens', description: 'Window token pieces as the tokenizer writes them (JSON).' },
    { name: 'values', description: 'Ranking value on every window token (JSON).' },
    { name: 'attention', description: 'Per window token: its best sources [context position, weight] (JSON).' },
  ],
  pageSize: 1000,
  count: (runId) => getPrisma().headExample.count({ where: { runId } }),
  async readPage(runId, after, take) {
    const afterKey = after
      ? Prisma.sql`AND ("layer", "head", "kind", "rank") > (${after.layer}::int, ${after.head}::int, ${after.kind}::text, ${after.rank}::int)`
      : Prisma.empty;
    const rows = await getPrisma().$queryRaw<({ layer: number; head: number } & HeadExampleRow)[]>`
      SELECT "layer", "head", "kind", "rank", "value", "quantile", "contextId", "docIndex", "position", "windowStart", "tokenIds", "tokens",
             "acts", "sourcesPerRow", "attnSources", "attnWeights"
      FROM "HeadExample" WHERE "runId" = ${runId} ${afterKey}
      ORDER BY "layer", "head", "kind", "rank" LIMIT ${take}`;
    return rows.map((r) => {
      const e = decodeHeadExampleRow(r);
      return {
        layer: r.layer,
        head: r.head,
        name: headName(r.layer, r.head),
        kind: e.kind,
        rank: e.rank,
        quantile: e.quantile,
        value: e.value,
        doc_index: e.docIndex,
        context_id: e.contextId,
        position: e.position,
        window_start: e.windowStart,
        token_ids: e.tokenIds,
        tokens: e.tokens,
        values: e.acts,
        attention: e.attention,
      };
    });
  },
  keyOf: (row) => ({ layer: row.layer as number, head: row.head as number, kind: row.kind as string, rank: row.rank as number }),
};
