import { describe, expect, it } from 'vitest';
import { loadGpt2Tokenizer } from '../../tokenizers/gpt2-bpe';
import { loadLlama2cTokenizer } from '../../tokenizers/llama2c';
import { repoPath, sharedDataPath, withoutSharedData } from '../../../scripts/testing/shared-data';
import { buildAllTasks } from '.';

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
