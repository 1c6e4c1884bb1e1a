import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomModel } from '../engine/random-model';
import { gpt2Family } from '../models/hf/gpt2';
import { loadHfFolder } from '../models/hf/load-hf-folder';
import { writeHfFolder } from '../models/hf/write-hf-folder';
import { repoCacheDir } from './cache';
import { downloadFile, downloadHfModel, type DownloadProgress } from './download';
import { downloadModel } from './download-model';
import { resolveModel } from '../models/registry';
import { repoPath, sharedDataPath, withoutSharedData } from '../../scripts/testing/shared-data';

/**
 * The hub download against a local HTTP server that serves fixture folders as `/{owner}/{name}/resolve/{rev}/{file}`,
 * honours Range requests, and can drop the connection halfway through a file once.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-hub-'));
const served = path.join(tmp, 'served');
let server: http.Server;
let endpoint: string;
const requests: Array<{ url: string; range?: string; authorization?: string }> = [];
/** Files whose next full GET is cut off after half the bytes. */
const dropOnce = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url!, range: req.headers.range, authorization: req.headers.authorization });
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
    const file = match ? path.join(served, match[1], match[3]) : '';
    if (!match || match[2] !== 'main' || !fs.existsSync(file)) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    const bytes = fs.readFileSync(file);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      res.writeHead(206, { 'content-length': bytes.length - start, 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` });
      res.end(bytes.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': bytes.length });
    if (dropOnce.delete(match[3])) {
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy()); // the connection dies mid-file
      return;
    }
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('downloadHfModel / downloadFile against a local server', () => {
  it('fetches config, tokenizer files and sharded weights into the cache; the folder then loads', async () => {
    const model = randomModel({ rotary_dim: 0 }, { seed: 4 });
    model.weights.delete('unembed.b_U');
    await writeHfFolder(path.join(served, 'someone/tiny-gpt2'), model, gpt2Family, { shards: 2 });
    fs.writeFileSync(path.join(served, 'someone/tiny-gpt2/vocab.json'), '{}');
    const cacheDir = path.join(tmp, 'cache1');
    const progress: DownloadProgress[] = [];
    const dir = await downloadHfModel('someone/tiny-gpt2', { endpoint, cacheDir, token: 'hf_test', onProgress: (p) => progress.push(p) });
    expect(dir).toBe(repoCacheDir('someone/tiny-gpt2', 'main', cacheDir));
    expect(fs.readdirSync(dir).sort()).toEqual([
      '.headwiki-complete',
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
      'vocab.json',
    ]);
    const loaded = await loadHfFolder(dir);
    expect(loaded.weights.get('blocks.1.mlp.W_out')!.data).toEqual(model.weights.get('blocks.1.mlp.W_out')!.data);
    expect(requests.filter((r) => r.authorization !== 'Bearer hf_test')).toEqual([]);
    expect(progress.filter((p) => p.done).map((p) => p.file)).toContain('model-00002-of-00002.safetensors');
    // A second call finds the finished download in the cache and asks the server nothing.
    const before = requests.length;
    expect(await downloadHfModel('someone/tiny-gpt2', { endpoint, cacheDir })).toBe(dir);
    expect(requests.length).toBe(before);
  });

  it('resumes a file whose connection dropped halfway, with a Range request, and gets identical bytes', async () => {
    const repoDir = path.join(served, 'someone/big');
    fs.mkdirSync(repoDir, { recursive: true });
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    fs.writeFileSync(path.join(repoDir, 'stories15M.bin'), bytes);
    dropOnce.add('stories15M.bin');
    const cacheDir = path.join(tmp, 'cache2');
    const before = requests.length;
    const file = await downloadFile('someone/big', 'stories15M.bin', { endpoint, cacheDir });
    expect(Buffer.compare(fs.readFileSync(file!), bytes)).toBe(0);
    const mine = requests.slice(before);
    expect(mine).toHaveLength(2);
    expect(mine[0].range).toBeUndefined();
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(mine[1].range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThan(bytes.length);
    expect(fs.existsSync(`${file}.part`)).toBe(false);
  });

  it('a missing repo or file is a clear 404 error; an optional file is skipped; bad names are refused', async () => {
    const cacheDir = path.join(tmp, 'cache3');
    await expect(downloadHfModel('nobody/nothing', { endpoint, cacheDir })).rejects.toThrow(
      `${endpoint}/nobody/nothing/resolve/main/config.json: 404 Not Found (no such repo, revision or file; is nobody/nothing spelled right?)`,
    );
    expect(await downloadFile('nobody/nothing', 'tokenizer.json', { endpoint, cacheDir }, { optional: true })).toBeNull();
    fs.mkdirSync(path.join(served, 'someone/no-weights'), { recursive: true });
    fs.writeFileSync(path.join(served, 'someone/no-weights/config.json'), '{}');
    await expect(downloadHfModel('someone/no-weights', { endpoint, cacheDir })).rejects.toThrow(
      /neither model.safetensors nor model.safetensors.index.json/,
    );
    await expect(downloadHfModel('../../etc', { endpoint, cacheDir })).rejects.toThrow(/is not a Hugging Face repo id/);
    await expect(downloadFile('someone/big', '../x', { endpoint, cacheDir })).rejects.toThrow(/is not a plain file name/);
  });

  it.skipIf(withoutSharedData('tokenizers/gpt2'))(
    'official names: gpt2-small fetches openai-community/gpt2, stories15M the llama2.c file; resolveModel then finds them',
    async () => {
      const cacheDir = path.join(tmp, 'cache4');
      const model = randomModel({ rotary_dim: 0 }, { seed: 5 });
      model.weights.delete('unembed.b_U');
      await writeHfFolder(path.join(served, 'openai-community/gpt2'), model, gpt2Family);
      for (const f of ['vocab.json', 'merges.txt'])
        fs.copyFileSync(sharedDataPath(`tokenizers/gpt2/${f}`), path.join(served, 'openai-community/gpt2', f));
      const gpt2 = await downloadModel('gpt2-small', { endpoint, cacheDir });
      expect(gpt2).toMatchObject({ name: 'gpt2-small', dir: repoCacheDir('openai-community/gpt2', 'main', cacheDir) });
      const resolved = await resolveModel('gpt2-small', { cacheDir });
      expect(resolved.tokenizer.encode('Hello world')).toEqual([15496, 995]);
      expect(resolved.model.weights.get('embed.W_E')!.data).toEqual(model.weights.get('embed.W_E')!.data);

      // stories15M: here the bundled stories260K file stands in for it (same format, smaller).
      fs.mkdirSync(path.join(served, 'karpathy/tinyllamas'), { recursive: true });
      fs.copyFileSync(repoPath('data/models/stories260K/stories260K.bin'), path.join(served, 'karpathy/tinyllamas/stories15M.bin'));
      const stories = await downloadModel('stories15M', { endpoint, cacheDir });
      expect(stories.files).toMatch(/put llama2.c's tokenizer.bin .* beside it/);
      await expect(resolveModel('stories15M', { cacheDir })).rejects.toThrow(/no tokenizer found beside it/);
      fs.copyFileSync(repoPath('data/models/stories260K/tok512.bin'), path.join(stories.dir, 'tokenizer.bin'));
      expect((await resolveModel('stories15M', { cacheDir })).model.cfg.model_name).toBe('stories15M');
      await expect(downloadModel('solu-1l', { endpoint, cacheDir })).rejects.toThrow(/only as a PyTorch pickle/);
      await expect(downloadModel('not-a-model', { endpoint, cacheDir })).rejects.toThrow(
        /not a known TransformerLens model name; give a hub repo id as hf:owner\/name/,
      );
    },
  );
});
