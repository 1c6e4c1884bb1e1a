import { describe, expect, it } from 'vitest';
import { plantedCircuitTokenizer } from '../../testing/planted-circuits';
import { plantedTokenizer } from '../../testing/planted-models';
import { buildAllTasks, buildTask, parseUserTasks, TaskInputError } from '.';

const tok = plantedCircuitTokenizer();

describe('IOI prompts', () => {
  it('BABA and ABBA pairs of equal length, IO once and S twice, ABC corruption keeps the structure', () => {
    const build = buildTask('ioi', tok, { count: 12, seed: 3 });
    if (!build.ok) throw new Error(build.reason);
    for (const p of build.task.pairs) {
      expect(p.corrupted).toHaveLength(p.clean.length);
      expect(p.clean[p.positions.IO[0]]).toBe(p.answer);
      expect(p.clean[p.positions.S1[0]]).toBe(p.wrong);
      expect(p.clean[p.positions.S2[0]]).toBe(p.wrong);
      expect(p.positions.S1[0]).toBeLessThan(p.positions.S2[0]);
      // ABC: neither IO nor S appears in the corrupted prompt; its three names are distinct.
      expect(p.corrupted).not.toContain(p.answer);
      expect(p.corrupted).not.toContain(p.wrong);
      const names = [p.positions.IO[0], p.positions.S1[0], p.positions.S2[0]].map((i) => p.corrupted[i]);
      expect(new Set(names).size).toBe(3);
    }
    const orders = new Set(build.task.pairs.map((p) => (p.positions.IO[0] < p.positions.S1[0] ? 'ABBA' : 'BABA')));
    expect(orders).toEqual(new Set(['ABBA', 'BABA']));
    expect(buildTask('ioi', tok, { count: 12, seed: 3 })).toEqual(build); // reproducible from the seed
  });

  it('reports instead of guessing where names are not single tokens', () => {
    const build = buildTask('ioi', plantedTokenizer());
    expect(build.ok).toBe(false);
    if (!build.ok) expect(build.reason).toMatch(/single tokens/);
    const all = buildAllTasks(plantedTokenizer());
    expect(all.find((b) => b.ok && b.task.kind === 'induction')).toBeTruthy();
  });
});

describe('user tasks (JSONL)', () => {
  const line = (o: Record<string, unknown>) => JSON.stringify(o);
  const good = {
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Anna and Paul went to the store, Lucy gave a drink to',
    answer: ' Mary',
    wrong: ' John',
  };

  it('parses valid lines (an answer is the literal token: " Mary" and "Mary" differ), skips blank lines', () => {
    const build = parseUserTasks([line(good), '', line({ ...good, answer: 'Mary' })].join('\n'), tok, { name: 'mine' });
    if (!build.ok) throw new Error('not ok');
    expect(build.task.pairs).toHaveLength(2);
    expect(build.task.pairs[0].answer).toBe(tok.encode(' Mary')[0]);
    expect(build.task.pairs[1].answer).toBe(tok.encode('Mary')[0]);
    expect(build.task.kind).toBe('user');
  });

  it.each([
    ['not json', 'line 1: not JSON'],
    [line({ ...good, wrong: undefined }), 'line 1: "wrong" must be a non-empty string'],
    [line({ ...good, clean: 'When Mary and John went' }), 'must be equally long'],
    [line({ ...good, answer: ' Mary John' }), 'answers must be one token'],
    [line({ ...good, extra: 1 }), 'unknown field(s) "extra"'],
    [line({ ...good, clean: 'a\u0000b' }), 'NUL'],
    [line({ ...good, clean: 'x'.repeat(5000) }), 'longer than 4096'],
    [line({ ...good, clean: '<script>alert(1)</script>' }), 'cannot tokenize'],
    [line({ ...good, wrong: ' Mary' }), 'the same token'],
    ['[1,2]', 'expected an object'],
    ['\n\n', 'no prompt pairs'],
  ])('rejects bad input with a message naming the problem: %#', (text, message) => {
    expect(() => parseUserTasks(text, tok, { name: 'bad' })).toThrow(TaskInputError);
    expect(() => parseUserTasks(text, tok, { name: 'bad' })).toThrow(message);
  });

  it('rejects a bad task name', () => {
    expect(() => parseUserTasks(line(good), tok, { name: '../etc' })).toThrow(/task name/);
  });
});
