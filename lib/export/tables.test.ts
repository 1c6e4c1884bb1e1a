// Every bulk-export table against a real PostgreSQL holding the contract fixtures: the streamed rows
// are exactly the table's rows (count matches, no row skipped or repeated across keyset pages of any
// size), CSV and JSONL carry the same rows, and planted values come out where they were put.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';
import type { ExportRow, ExportTable } from './types';

let db: TestDatabase;
let tables: readonly ExportTable<unknown>[];
let exportStream: typeof import('./stream').exportStream;
let closePrisma: () => Promise<void>;
let RUN: string;

beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  // After migrating: the Prisma client must not load before the migration engine.
  const fixtures = await import('../api/openapi/contract-fixtures');
  await fixtures.seedContractFixtures();
  RUN = (await import('../api/openapi/common')).EXAMPLE.runId;
  tables = (await import('./tables')).EXPORT_TABLES;
  exportStream = (await import('./stream')).exportStream;
  ({ closePrisma } = await import('../db/client'));
});
afterAll(async () => {
  await closePrisma?.();
  await db?.stop();
});

async function jsonl(table: ExportTable<unknown>): Promise<ExportRow[]> {
  const text = await new Response(exportStream(table, RUN, 'jsonl')).text();
  return text.length === 0
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
}

const byId = (id: string) => tables.find((t) => t.id === id)!;

describe('export tables', () => {
  it('cover head metrics, labels, composition, head examples, neuron statistics and neuron examples', () => {
    expect(tables.map((t) => t.id)).toEqual(
      expect.arrayContaining(['head-metrics', 'head-labels', 'head-composition', 'head-examples', 'neuron-stats', 'neuron-examples']),
    );
  });

  it('stream every row once, whatever the page size, in CSV and JSONL alike', async () => {
    for (const table of tables) {
      const rows = await jsonl(table);
      expect(rows.length, table.id).toBe(await table.count(RUN));
      expect(rows.length, `${table.id} has fixture rows`).toBeGreaterThan(0);
      // Keys strictly increase: nothing repeated or out of order.
      const keys = rows.map((r) => JSON.stringify(table.keyOf(r)));
      if (!table.groupedRows) expect(new Set(keys).size, table.id).toBe(keys.length);
      // Tiny pages (1 and 3 rows/keys per read) give the same rows.
      for (const pageSize of [1, 3]) expect(await jsonl({ ...table, pageSize }), `${table.id} pageSize ${pageSize}`).toEqual(rows);
      const csv = await new Response(exportStream(table, RUN, 'csv')).text();
      expect(csv.split('\n')[0]).toBe(table.columns.map((c) => c.name).join(','));
      expect(Object.keys(rows[0])).toEqual(table.columns.map((c) => c.name));
    }
  });

  it('carry the planted values', async () => {
    const metrics = await jsonl(byId('head-metrics'));
    expect(metrics.find((r) => r.name === 'L1H3' && r.metric === 'induction')?.value).toBe(0.9);
    const labels = await jsonl(byId('head-labels'));
    expect(labels.map((r) => `${r.name}:${r.label}:${r.status}`)).toEqual(['L0H1:previous_token:confirmed', 'L1H3:induction:confirmed']);
    const comp = await jsonl(byId('head-composition'));
    expect(comp.find((r) => r.kind === 'k' && r.src_layer === 0 && r.src_head === 1 && r.dst_layer === 1)?.value).toBe(0.6);
    const stats = await jsonl(byId('neuron-stats'));
    // 8 neurons × 2 corpora, the comparison corpus at half scale.
    expect(stats).toHaveLength(16);
    expect(stats.find((r) => r.corpus === 'tinystories-sample' && r.neuron === 5)?.max_act).toBe(4);
    expect(stats.find((r) => r.corpus === 'python-sample' && r.neuron === 5)?.max_act).toBe(2);
    const examples = await jsonl(byId('neuron-examples'));
    const top = examples.find((r) => r.corpus === 'tinystories-sample' && r.neuron === 5 && r.kind === 'top' && r.rank === 0)!;
    expect(top.tokens).toEqual(['<s>', '▁the', '▁dragon', '▁slept']);
    (top.acts as number[]).forEach((v, i) => expect(v).toBeCloseTo([0, 1, 4, 0.5][i], 3));
    const headExamples = await jsonl(byId('head-examples'));
    const h = headExamples.find((r) => r.name === 'L1H3' && r.kind === 'top_norm' && r.rank === 0)!;
    expect(h.tokens).toEqual(['▁Once', '▁upon', '▁a', '▁time']);
    expect(h.attention).toEqual(
      [0, 1, 2, 3].map((i) => [
        [i, expect.closeTo(0.9, 6)],
        [0, expect.closeTo(0.1, 6)],
      ]),
    );
  });
});
