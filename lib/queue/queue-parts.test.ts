// The queue's pure parts, with known answers: exact result round trips, fixed job ids, shard ranges, ETA.
import { describe, expect, it } from 'vitest';
import { estimateEta } from '../db/run-progress';
import { compareRunTables } from '../../workers/queue-testing/proofs';
import { isTransientDbError } from '../../workers/jobs/db-retry';
import { shardRange } from '../../workers/jobs/corpus-scans';
import { deterministicJobId } from './job-id';
import { parseJobPayload } from './payloads';
import { decodeResult, encodeResult } from './result-codec';

describe('result codec', () => {
  it('round-trips typed arrays bit for bit, including -0, subnormals and values JSON would round', () => {
    const f32 = new Float32Array([0.1, -0, 1e-45, 3.4028234663852886e38, Math.PI]);
    const value = { a: f32, b: [new Int32Array([-2147483648, 7]), { c: new Uint8Array([0, 255]) }], d: 0.1 + 0.2, e: 'text' };
    const back = decodeResult<typeof value>(encodeResult(value));
    expect(back.a).toBeInstanceOf(Float32Array);
    expect(Buffer.from(back.a.buffer)).toEqual(Buffer.from(f32.buffer));
    expect(Object.is(back.a[1], -0)).toBe(true);
    expect(Array.from(back.b[0] as Int32Array)).toEqual([-2147483648, 7]);
    expect(back.d).toBe(0.30000000000000004);
    expect(back.e).toBe('text');
  });

  it('keeps typed arrays binary beside the JSON (a GPT-2-sized shard passed V8’s string limit as base64), views and odd sizes included', () => {
    const big = new Float64Array(1 << 18).map((_, i) => i / 3);
    const view = new Int16Array(new Int16Array([1, 2, 3, 4, 5]).buffer, 2, 3);
    const encoded = encodeResult({ big, view, odd: new Uint8Array([9, 8, 7]), n: 1 });
    // Raw bytes, not base64 (4/3 larger): the 2 MiB array adds 2 MiB.
    expect(encoded.byteLength).toBeLessThan(big.byteLength + 1024);
    const back = decodeResult<{ big: Float64Array; view: Int16Array; odd: Uint8Array; n: number }>(encoded);
    expect(back.big).toBeInstanceOf(Float64Array);
    expect(Buffer.from(back.big.buffer).equals(Buffer.from(big.buffer))).toBe(true);
    expect(Array.from(back.view)).toEqual([2, 3, 4]);
    expect(Array.from(back.odd)).toEqual([9, 8, 7]);
    expect(back.n).toBe(1);
  });

  it('still reads results staged as JSON with base64 typed arrays (before the binary framing)', () => {
    const legacy = Buffer.from(
      JSON.stringify({ a: { $typed: 'Float32Array', b64: Buffer.from(new Float32Array([1.5, -2]).buffer).toString('base64') } }),
    );
    expect(Array.from(decodeResult<{ a: Float32Array }>(legacy).a)).toEqual([1.5, -2]);
  });

  it('refuses what would not come back the same', () => {
    expect(() => encodeResult({ x: NaN })).toThrow(/NaN at "x"/);
    expect(() => encodeResult({ m: new Map() })).toThrow(/Map\/Set/);
  });
});

describe('job ids', () => {
  it('are RFC 4122-shaped UUIDs, fixed by the name', () => {
    const id = deterministicJobId('r123/finalize');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicJobId('r123/finalize')).toBe(id);
    expect(deterministicJobId('r124/finalize')).not.toBe(id);
  });
});

describe('shard ranges', () => {
  it('cover every document exactly once, in order, as evenly as possible', () => {
    const ranges = [0, 1, 2].map((i) => shardRange(10, i, 3));
    expect(ranges).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 6 },
      { start: 6, end: 10 },
    ]);
    expect(shardRange(2, 1, 1 + 1)).toEqual({ start: 1, end: 2 });
    expect(() => shardRange(10, 3, 3)).toThrow(/not a valid shard/);
  });
});

describe('ETA', () => {
  const job = (status: string, tokensDone: number, tokensTotal: number, kind = 'corpus-shard') => ({
    status,
    tokensDone,
    tokensTotal,
    kind,
  });
  it('extrapolates from tokens when every scan job counted its tokens', () => {
    // 25% of the tokens in 30 s → 90 s to go.
    expect(estimateEta([job('done', 100, 100), job('queued', 0, 300)], 30)).toBeCloseTo(90);
  });
  it('falls back to finished jobs, and is unknown before anything finished', () => {
    expect(estimateEta([job('done', 0, 0, 'head-metrics'), job('queued', 0, 0)], 10)).toBeCloseTo(10);
    expect(estimateEta([job('queued', 0, 0)], 10)).toBeNull();
  });
  it('once every token is read, goes by jobs (finalize still to run is not "0 s left")', () => {
    // 3 of 4 jobs done in 30 s → 10 s to go.
    expect(
      estimateEta([job('done', 100, 100), job('done', 50, 50), job('done', 0, 0, 'head-metrics'), job('active', 0, 0, 'finalize')], 30),
    ).toBeCloseTo(10);
  });
});

describe('payloads and transient errors', () => {
  it('names the bad fields of a malformed payload', () => {
    expect(() => parseJobPayload({ kind: 'head-metrics', runId: 'r1' })).toThrow(/malformed job payload: .*jobKey/);
    expect(() => parseJobPayload({ kind: 'nope' })).toThrow(/malformed job payload/);
  });
  it('tells a database outage from a bug', () => {
    expect(isTransientDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientDbError(new Error('terminating connection due to administrator command'))).toBe(true);
    // pg's message for a pooled client whose connection broke (seen when Postgres restarted under a worker).
    expect(isTransientDbError(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('the database system is shutting down'), { code: '57P03' }))).toBe(true);
    expect(isTransientDbError(new Error('x', { cause: { kind: 'DatabaseNotReachable' } }))).toBe(true);
    expect(isTransientDbError(new Error('unknown head metric "x"'))).toBe(false);
  });
});

describe('comparing two runs’ tables (the queue proofs’ judge)', () => {
  it('names a missing, doubled or different row, compares bytes, and flags an empty reference', () => {
    const want = {
      A: [
        { x: 1, b: Buffer.from([1, 2]) },
        { x: 2, b: Buffer.from([3]) },
      ],
      B: [] as unknown[],
    };
    expect(
      compareRunTables(
        {
          A: [
            { x: 1, b: Buffer.from([1, 2]) },
            { x: 2, b: Buffer.from([3]) },
          ],
          B: [],
        },
        want,
        { mayBeEmpty: ['B'] },
      ),
    ).toEqual([]);
    expect(compareRunTables({ A: [{ x: 1, b: Buffer.from([1, 2]) }], B: [] }, want, { mayBeEmpty: ['B'] })).toEqual([
      'A: 1 rows, the reference has 2',
    ]);
    expect(compareRunTables({ A: [...want.A, want.A[1]], B: [] }, want, { mayBeEmpty: ['B'] })).toEqual(['A: 3 rows, the reference has 2']);
    expect(compareRunTables({ A: [{ x: 1, b: Buffer.from([1, 9]) }, want.A[1]], B: [] }, want, { mayBeEmpty: ['B'] })[0]).toMatch(
      /^A: row 0 differs: .*"0109".* vs .*"0102"/,
    );
    expect(
      compareRunTables(
        {
          A: [
            { x: 1, b: Buffer.from([1, 2]) },
            { x: 2.0000000000000004, b: Buffer.from([3]) },
          ],
          B: [],
        },
        want,
        { mayBeEmpty: ['B'] },
      ),
    ).toHaveLength(1);
    expect(compareRunTables({ A: want.A, B: [] }, want)).toEqual(['B: the reference run has no rows']);
  });
});
