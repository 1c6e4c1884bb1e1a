import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath, sharedDataPath, withoutSharedData } from '../../scripts/testing/shared-data';
import { knownModelNames, resolveModel } from './registry';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-registry-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('resolveModel', () => {
  it('resolves the bundled stories260K with its llama2.c tokenizer', async () => {
    const { model, tokenizer } = await resolveModel('stories260K');
    expect(model.cfg.model_name).toBe('stories260K');
    expect(model.cfg.n_layers).toBe(5);
    expect(model.source).toEqual({
      path: 'data/models/stories260K/stories260K.bin',
      format: 'llama2c',
      license: 'MIT (Andrej Karpathy, llama2.c / tinyllamas)',
    });
    expect(tokenizer.vocabSize).toBe(512);
    expect(tokenizer.encode('a  b')).toEqual([261, 410, 268]); // ▁a ▁ ▁b: llama2.c keeps every space
    expect(knownModelNames).toEqual(['stories260K', 'ioi-4l']);
  });

  it.skipIf(withoutSharedData('models/attn-only-2l'))(
    'resolves a .bin path with the tokenizer beside it, and a TransformerLens folder',
    async () => {
      const bin = await resolveModel(repoPath('data/models/stories260K/stories260K.bin'));
      expect(bin.model.cfg.model_name).toBe('stories260K');
      expect(bin.tokenizer.encode('Once upon', { bos: true })).toEqual([1, 403, 407]);
      const tl = await resolveModel(sharedDataPath('models/attn-only-2l'));
      expect(tl.model.cfg.model_name).toBe('attn-only-2l');
      expect(tl.model.source.format).toBe('transformer_lens-safetensors');
      // The project models were trained on SentencePiece-encoded text: runs of spaces collapse.
      expect(tl.tokenizer.encode('Once   upon ')).toEqual(tl.tokenizer.encode('Once upon'));
    },
  );

  it('explains what is wrong with unknown names and incomplete folders', async () => {
    await expect(resolveModel('no-such-model')).rejects.toThrow(
      /Unknown model "no-such-model": not a bundled model \(stories260K, ioi-4l\), not a known TransformerLens name/,
    );
    const lonely = path.join(tmp, 'lonely.bin');
    fs.copyFileSync(repoPath('data/models/stories260K/stories260K.bin'), lonely);
    await expect(resolveModel(lonely)).rejects.toThrow(
      `${lonely}: no tokenizer found beside it (looked for tok512.bin, tokenizer.bin in ${tmp})`,
    );
    await expect(resolveModel(tmp)).rejects.toThrow(`${tmp}: a model folder needs config.json and model.safetensors`);
  });

  it.skipIf(withoutSharedData('models/gelu-2l'))('loads a Hugging Face folder (gelu-2l) with the tokenizer its config names', async () => {
    const { model, tokenizer } = await resolveModel(sharedDataPath('models/gelu-2l'));
    expect(model.cfg.model_name).toBe('gelu-2l');
    expect(model.source.format).toBe('hf-gpt2');
    expect(tokenizer.encode('Once upon a time', { bos: true })).toEqual([1, 403, 407, 261, 378]); // reference.json's first ids
  });

  it.skipIf(withoutSharedData('models/gelu-2l'))(
    'official names and aliases: bundled, downloaded (from the cache), or a message saying how to download',
    async () => {
      expect((await resolveModel('stories260k')).model.cfg.model_name).toBe('stories260K'); // case-insensitive official name
      const cacheDir = path.join(tmp, 'cache');
      await expect(resolveModel('gpt2-small', { cacheDir })).rejects.toThrow(
        "gpt2-small is TransformerLens' gpt2 (Hugging Face openai-community/gpt2) is not downloaded yet: run `npm run headwiki -- download gpt2-small`",
      );
      await expect(resolveModel('pythia-70m', { cacheDir })).rejects.toThrow(/EleutherAI\/pythia-70m.*download pythia-70m/);
      await expect(resolveModel('stories15M', { cacheDir })).rejects.toThrow(
        /download stories15M`, or give the path of a local stories15M.bin/,
      );
      await expect(resolveModel('solu-1l', { cacheDir })).rejects.toThrow(/only as a PyTorch pickle/);
      await expect(resolveModel('hf:someone/model', { cacheDir })).rejects.toThrow(/download hf:someone\/model/);
      // A completed download in the cache is an ordinary folder: gelu-2l copied there as "openai-community/gpt2".
      const dir = path.join(cacheDir, 'hub', 'openai-community--gpt2', 'main');
      fs.cpSync(sharedDataPath('models/gelu-2l'), dir, { recursive: true });
      fs.writeFileSync(path.join(dir, '.headwiki-complete'), '');
      const cached = await resolveModel('gpt2', { cacheDir });
      expect(cached.model.cfg.model_name).toBe('gpt2-small');
      expect(cached.model.source.path).toBe('hf:openai-community/gpt2');
    },
  );
});
