import { describe, expect, it } from 'vitest';
import { flattenOptions } from './flatten-options';

describe('flattenOptions', () => {
  it('flattens nested objects into dotted keys and writes leaves as JSON (strings bare)', () => {
    expect(
      flattenOptions({
        engine: 'onnx',
        weightProcessing: { fold_ln: true, skipped: { center: 'why' } },
        usable: ['a', 'b'],
        n: 3,
        none: null,
        empty: {},
      }),
    ).toEqual([
      ['engine', 'onnx'],
      ['weightProcessing.fold_ln', 'true'],
      ['weightProcessing.skipped.center', 'why'],
      ['usable', '["a","b"]'],
      ['n', '3'],
      ['none', 'null'],
      ['empty', '{}'],
    ]);
    expect(flattenOptions({})).toEqual([]);
  });
});
