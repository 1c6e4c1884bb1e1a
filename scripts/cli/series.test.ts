import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveModel } from '@/lib/models/registry';
import { sameShape } from '@/workers/plan-diff';
import { listCheckpoints, stepOf } from './series';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-series-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('series checkpoints', () => {
  it('a folder lists its .bin checkpoints (not the tokenizer) in name order, steps from the names', () => {
    for (const f of ['m-step0200.bin', 'm-step0100.bin', 'tok512.bin', 'notes.txt']) fs.writeFileSync(path.join(tmp, f), '');
    const list = listCheckpoints(tmp);
    expect(list.map((f) => path.basename(f))).toEqual(['m-step0100.bin', 'm-step0200.bin']);
    expect(list.map(stepOf)).toEqual([100, 200]);
    expect(stepOf('hf:EleutherAI/pythia-70m@step3000')).toBe(3000);
    expect(() => stepOf('final.bin')).toThrow(/--steps/);
    expect(listCheckpoints('a.bin, b.bin')).toEqual(['a.bin', 'b.bin']);
  });

  it('hub revisions resolve from their own cache folder, named model.revision, or say how to download them', async () => {
    await expect(resolveModel('hf:EleutherAI/pythia-70m@step3000', { cacheDir: tmp })).rejects.toThrow(
      /download hf:EleutherAI\/pythia-70m --revision step3000/,
    );
  });

  it('the white box is planned only for the same shapes', () => {
    const cfg = { n_layers: 2, d_model: 16, n_heads: 4, d_head: 4, d_mlp: 24, d_vocab: 512, gated_mlp: true };
    expect(sameShape(cfg, { ...cfg })).toBe(true);
    expect(sameShape(cfg, { ...cfg, d_mlp: 32 })).toBe(false);
    expect(sameShape(cfg, { ...cfg, gated_mlp: false })).toBe(false);
  });
});
