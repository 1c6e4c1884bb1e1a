import { describe, expect, it } from 'vitest';
import { makeRng } from '@/lib/sampling/random';
import { BoundedBest } from './bounded-best';
import { ExampleTable } from './example-table';
import { byKeyAsc, byValueDesc, type UnitExample } from './example';
import { decodeResult, encodeResult } from '@/lib/queue/result-codec';

/**
 * Random examples with many ties (values and keys from small sets), so that the tie-breaks decide; each (doc, pos)
 * once, as in a scan (a token is one example of a unit).
 */
function examples(n: number, seed: number): { slot: number; e: UnitExample }[] {
  const rng = makeRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const length = 1 + rng.int(6);
    const e: UnitExample = {
      value: rng.int(5) - 2,
      key: rng.int(7),
      doc: i >> 2,
      pos: (i & 3) * 3,
      windowStart: rng.int(3),
      tokens: Array.from({ length }, () => rng.int(100)),
      acts: Array.from({ length }, () => Math.fround(rng.next())),
    };
    return { slot: rng.int(3), e };
  });
}

describe('ExampleTable', () => {
  for (const order of ['value', 'key'] as const) {
    it(`keeps what BoundedBest keeps, in any offer order (${order} order)`, () => {
      const xs = examples(400, order === 'value' ? 1 : 2);
      const reference = new BoundedBest<UnitExample>(3, 4, order === 'value' ? byValueDesc : byKeyAsc);
      xs.forEach(({ slot, e }) => reference.offer(slot, e));
      const plain = (t: ExampleTable) =>
        t.toPlainJSON().slots.map((s) => s.map((e) => ({ ...e, key: order === 'key' ? e.key : undefined })));
      const expected = reference.toJSON().slots.map((s) => s.map((e) => ({ ...e, key: order === 'key' ? e.key : undefined })));
      for (const ownTokens of [true, false]) {
        const forward = new ExampleTable(3, 4, order, 6, ownTokens);
        xs.forEach(({ slot, e }) => forward.offerExample(slot, e));
        const backward = new ExampleTable(3, 4, order, 6, ownTokens);
        [...xs].reverse().forEach(({ slot, e }) => backward.offerExample(slot, e));
        expect(plain(forward)).toEqual(expected);
        expect(plain(backward)).toEqual(expected);
        // Its state survives the job queue's codec bit for bit.
        expect(plain(ExampleTable.fromJSON(decodeResult(encodeResult(forward))))).toEqual(expected);
      }
    });
  }

  it('refuses a state whose arrays do not match its shape, and a window wider than its rows', () => {
    const t = new ExampleTable(2, 3, 'value', 4, true);
    t.offerExample(1, { value: 1, doc: 0, pos: 2, windowStart: 0, tokens: [7, 8, 9], acts: [0.5, 0.25, 1] });
    const state = decodeResult<ReturnType<ExampleTable['toJSON']>>(encodeResult(t));
    expect(ExampleTable.fromJSON(state).sorted(1)).toEqual(t.sorted(1));
    expect(() => ExampleTable.fromJSON({ ...state, acts: new Float32Array(5) })).toThrow(/acts has 5 values; expected 24/);
    expect(() => ExampleTable.fromJSON({ ...state, size: Int32Array.from([4, 0]) })).toThrow(/slot 0 holds 4 examples; k is 3/);
    expect(() => t.offerExample(0, { value: 2, doc: 1, pos: 0, windowStart: 0, tokens: [1, 2, 3, 4, 5], acts: [0, 0, 0, 0, 0] })).toThrow(
      /window has 5 values/,
    );
  });
});
