import { describe, expect, it } from 'vitest';
import { parseSearchQuery, passes } from './parse';

describe('parseSearchQuery', () => {
  it('reads heads in both spellings and neurons', () => {
    const p = parseSearchQuery('L9H6 9.6 l0h11 L3N123');
    expect(p.heads).toEqual([
      { layer: 9, head: 6 },
      { layer: 9, head: 6 },
      { layer: 0, head: 11 },
    ]);
    expect(p.neurons).toEqual([{ layer: 3, neuron: 123 }]);
    expect(p.text).toEqual([]);
    expect(p.problems).toEqual([]);
  });

  it('reads thresholds with or without spaces, every operator', () => {
    const p = parseSearchQuery('induction > 0.5 prev_token<=-1e-2 copying>=.25 x < 3 entropy==1');
    expect(p.thresholds).toEqual([
      { metric: 'induction', op: '>', value: 0.5 },
      { metric: 'prev_token', op: '<=', value: -0.01 },
      { metric: 'copying', op: '>=', value: 0.25 },
      { metric: 'x', op: '<', value: 3 },
      { metric: 'entropy', op: '=', value: 1 },
    ]);
    expect(p.text).toEqual([]);
  });

  it('keeps model names, words and quoted phrases as text, and a model: qualifier apart', () => {
    const p = parseSearchQuery('model:stories260K gelu-2l "once upon a" time');
    expect(p.model).toBe('stories260K');
    expect(p.text).toEqual(['gelu-2l', 'once upon a', 'time']);
  });

  it('does not read thresholds inside quotes', () => {
    const p = parseSearchQuery('"a > 1"');
    expect(p.thresholds).toEqual([]);
    expect(p.text).toEqual(['a > 1']);
  });

  it('explains malformed terms instead of failing', () => {
    const p = parseSearchQuery('induction > 0.5x 42 > 3 model:bad!');
    expect(p.thresholds).toEqual([{ metric: 'induction', op: '>', value: 0.5 }]);
    expect(p.problems.join('\n')).toMatch(/"42": a number alone/);
    expect(p.problems.join('\n')).toMatch(/">": a threshold is written/);
    expect(p.problems.join('\n')).toMatch(/model: "bad!"/);
  });

  it('does not take malformed heads for heads', () => {
    const p = parseSearchQuery('L09H1 -1.2 L1H');
    expect(p.heads).toEqual([]);
    expect(p.text).toContain('L09H1');
  });

  it('truncates very long queries', () => {
    const p = parseSearchQuery('a'.repeat(500));
    expect(p.text[0].length).toBe(200);
    expect(p.problems[0]).toMatch(/longer than 200/);
  });

  it('compares with each operator', () => {
    expect(passes(0.6, { metric: 'm', op: '>', value: 0.5 })).toBe(true);
    expect(passes(0.5, { metric: 'm', op: '>', value: 0.5 })).toBe(false);
    expect(passes(0.5, { metric: 'm', op: '>=', value: 0.5 })).toBe(true);
    expect(passes(0.4, { metric: 'm', op: '<', value: 0.5 })).toBe(true);
    expect(passes(0.5, { metric: 'm', op: '<=', value: 0.5 })).toBe(true);
    expect(passes(0.5, { metric: 'm', op: '=', value: 0.5 })).toBe(true);
  });
});

describe('parseSearchQuery: spaced names and pasted addresses', () => {
  it('reads "L1 H3", "L1 N3" and "layer 1 head 3" as one head or neuron', () => {
    const p = parseSearchQuery('L1 H3 l2 n40 layer 4, head 7 Layer 0 neuron 9');
    expect(p.heads).toEqual([
      { layer: 1, head: 3 },
      { layer: 4, head: 7 },
    ]);
    expect(p.neurons).toEqual([
      { layer: 2, neuron: 40 },
      { layer: 0, neuron: 9 },
    ]);
    expect(p.text).toEqual([]);
    expect(parseSearchQuery('"L1 H3"').heads).toEqual([]);
  });

  it('reads a pasted page path or URL: its model as the scope, its head or neuron', () => {
    const head = parseSearchQuery('/models/stories260K/heads/L1H3');
    expect(head.model).toBe('stories260K');
    expect(head.heads).toEqual([{ layer: 1, head: 3 }]);
    expect(head.text).toEqual([]);
    const pinned = parseSearchQuery('http://localhost:3000/runs/rabc123/models/gelu-2l/neurons/0/5?site=pre');
    expect(pinned.model).toBe('gelu-2l');
    expect(pinned.neurons).toEqual([{ layer: 0, neuron: 5 }]);
    expect(parseSearchQuery('/models/stories260K/heads/1.4').heads).toEqual([{ layer: 1, head: 4 }]);
    expect(parseSearchQuery('/models/stories260K').model).toBe('stories260K');
    expect(parseSearchQuery('/models/stories260K/heads/zz').problems[0]).toMatch(/not a head/);
  });
});
