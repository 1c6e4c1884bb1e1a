import { describe, expect, it } from 'vitest';
import { loadGpt2Tokenizer } from '../../tokenizers/gpt2-bpe';
import { loadLlama2cTokenizer } from '../../tokenizers/llama2c';
import { loadHfTokenizer } from '../../tokenizers/hf';
import { repoPath, sharedDataPath, withoutSharedData } from '../../../scripts/testing/shared-data';
import { buildAllTasks, buildTask, parseUserTasks } from '.';
import { singleToken, singleTokenProblem } from './words';
import { tokenizerUsability } from '../performance';

describe.skipIf(withoutSharedData('tokenizers/gpt2'))('built-in tasks on the GPT-2 tokenizer', () => {
  it('every task is expressible: names, years, ICL words and capitals are single tokens', async () => {
    const tok = await loadGpt2Tokenizer(sharedDataPath('tokenizers/gpt2'));
    const builds = buildAllTasks(tok, { count: 16 });
    for (const b of builds) {
      if (!b.ok) throw new Error(`${b.kind}: ${b.reason}`);
      expect(b.task.pairs.length).toBeGreaterThan(0);
      for (const p of b.task.pairs) expect(p.corrupted).toHaveLength(p.clean.length);
    }
  });
});

describe('built-in tasks on the bundled stories260K tokenizer (512 tokens)', () => {
  it('reports which tasks it cannot express, with the reason', async () => {
    const tok = await loadLlama2cTokenizer(repoPath('data/models/stories260K/tok512.bin'));
    const builds = buildAllTasks(tok, { count: 8 });
    const byKind = new Map(builds.map((b) => [b.ok ? b.task.kind : b.kind, b]));
    expect(byKind.get('induction')!.ok).toBe(true);
    expect(byKind.get('greater_than')!.ok).toBe(false); // digits are single characters
    for (const b of builds) if (!b.ok) expect(b.reason.length).toBeGreaterThan(10);
  });
});

describe('the bundled ioi-4l word-level tokenizer (WordPiece with [UNK]): unknown words are not single tokens', () => {
  it('rejects [UNK] in singleToken, in every generator and in user tasks, and says so in the report', async () => {
    const tok = await loadHfTokenizer(repoPath('data/models/ioi-4l'));
    const unk = tok.encode('zebra');
    expect(unk).toHaveLength(1); // one id: the unknown token, which an id-count check alone would accept
    expect(tok.piece(unk[0])).toBe('[UNK]');
    expect(singleToken(tok, 'zebra')).toBeNull();
    expect(singleTokenProblem(tok, 'zebra')).toBe("is the tokenizer's unknown or special token [UNK]");
    expect(singleToken(tok, 'Mary')).toBe(tok.encode(' Mary')[0]);
    expect(singleTokenProblem(tok, 'Mary')).toBeNull();
    // Years are all [UNK] here: greater-than would compare [UNK] with [UNK] (a metric of 0, "not performed").
    const gt = buildTask('greater_than', tok);
    expect(gt.ok).toBe(false);
    if (!gt.ok) expect(gt.reason).toContain('"00" is the tokenizer\'s unknown or special token [UNK]');
    const fr = buildTask('icl_english_french', tok);
    expect(fr.ok).toBe(false);
    if (!fr.ok)
      expect(fr.skipped).toContain(
        '"cat" → "chat": "cat" is the tokenizer\'s unknown or special token [UNK], "chat" is the tokenizer\'s unknown or special token [UNK]',
      );
    if (!fr.ok)
      expect(tokenizerUsability(fr)).toHaveProperty(
        'detail',
        expect.stringMatching(
          /^only 0 word pairs are single tokens \(6 needed\); unusable: "cat" → "chat": "cat" is the tokenizer's unknown/,
        ),
      );
    const ioi = buildTask('ioi', tok, { count: 8 });
    expect(ioi.ok).toBe(true);
    if (ioi.ok) for (const p of ioi.task.pairs) expect([...p.clean, ...p.corrupted].includes(unk[0])).toBe(false);
    const line = (answer: string) =>
      JSON.stringify({
        clean: 'When Mary and John went to the store, John gave a drink to',
        corrupted: 'When Mary and John went to the store, Mary gave a drink to',
        answer,
        wrong: ' John',
      });
    expect(() => parseUserTasks(line(' zebra'), tok, { name: 'mine' })).toThrow(
      /"\s?zebra" is the tokenizer's unknown or special token \[UNK\]/,
    );
    expect(parseUserTasks(line(' Mary'), tok, { name: 'mine' }).ok).toBe(true);
  });
});
