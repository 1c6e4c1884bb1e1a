import { describe, expect, it } from 'vitest';
import { exportStream } from './stream';
import type { ExportRow, ExportTable } from './types';

/** An in-memory table of `n` rows read through keyset pages, recording every read. */
function fakeTable(n: number, pageSize: number) {
  const reads: { after: number | undefined; take: number }[] = [];
  const table: ExportTable<number> = {
    id: 'fake',
    title: 'Fake',
    description: 'test',
    columns: [
      { name: 'i', description: '' },
      { name: 'text', description: '' },
      { name: 'acts', description: '' },
    ],
    pageSize,
    count: async () => n,
    async readPage(_runId, after, take) {
      reads.push({ after, take });
      const start = after === undefined ? 0 : after + 1;
      const rows: ExportRow[] = [];
      for (let i = start; i < Math.min(n, start + take); i++)
        rows.push({ i, text: i === 1 ? 'a, "quoted"\nline' : `t${i}`, acts: [i, 0.5] });
      return rows;
    },
    keyOf: (row) => row.i as number,
  };
  return { table, reads };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('exportStream', () => {
  it('writes CSV with a header, quoting text and nesting arrays as JSON, one keyset page at a time', async () => {
    const { table, reads } = fakeTable(5, 2);
    const csv = await readAll(exportStream(table as ExportTable<unknown>, 'r1', 'csv'));
    expect(csv).toBe(
      'i,text,acts\n' +
        '0,t0,"[0,0.5]"\n' +
        '1,"a, ""quoted""\nline","[1,0.5]"\n' +
        '2,t2,"[2,0.5]"\n' +
        '3,t3,"[3,0.5]"\n' +
        '4,t4,"[4,0.5]"\n',
    );
    // Pages of 2 after keys undefined, 1, 3: never more than one page held.
    expect(reads).toEqual([
      { after: undefined, take: 2 },
      { after: 1, take: 2 },
      { after: 3, take: 2 },
    ]);
  });

  it('writes JSON Lines with the columns in order', async () => {
    const { table } = fakeTable(2, 10);
    const jsonl = await readAll(exportStream(table as ExportTable<unknown>, 'r1', 'jsonl'));
    const lines = jsonl.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toEqual({ i: 1, text: 'a, "quoted"\nline', acts: [1, 0.5] });
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(['i', 'text', 'acts']);
  });

  it('stops reading when the consumer cancels', async () => {
    const { table, reads } = fakeTable(1000, 10);
    const reader = exportStream(table as ExportTable<unknown>, 'r1', 'jsonl').getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(reads.length).toBeLessThanOrEqual(3);
  });

  it('reads grouped tables (several rows per key) until an empty page, not a short one', async () => {
    const reads: (number | undefined)[] = [];
    const table: ExportTable<number> = {
      id: 'grouped',
      title: 'Grouped',
      description: 'test',
      columns: [
        { name: 'key', description: '' },
        { name: 'part', description: '' },
      ],
      pageSize: 2,
      groupedRows: true,
      count: async () => 9,
      // Keys 0..4; key k holds k mod 3 + 1 rows, so pages hold 2..6 rows, never "a page of 2".
      async readPage(_runId, after, take) {
        reads.push(after);
        const start = after === undefined ? 0 : after + 1;
        const rows: ExportRow[] = [];
        for (let k = start; k < Math.min(5, start + take); k++) for (let p = 0; p <= k % 3; p++) rows.push({ key: k, part: p });
        return rows;
      },
      keyOf: (row) => row.key as number,
    };
    const lines = (await readAll(exportStream(table as ExportTable<unknown>, 'r1', 'jsonl'))).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).key)).toEqual([0, 1, 1, 2, 2, 2, 3, 4, 4]);
    expect(reads).toEqual([undefined, 1, 3, 4]);
  });

  it('exports an empty table as just the header (CSV) or nothing (JSONL)', async () => {
    expect(await readAll(exportStream(fakeTable(0, 5).table as ExportTable<unknown>, 'r1', 'csv'))).toBe('i,text,acts\n');
    expect(await readAll(exportStream(fakeTable(0, 5).table as ExportTable<unknown>, 'r1', 'jsonl'))).toBe('');
  });
});
