import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { checkRepoId, checkRevision, COMPLETE_MARKER, repoCacheDir } from './cache';

export { COMPLETE_MARKER };

/**
 * Downloads files of a Hugging Face hub repo into the local cache, only when the user asks
 * (`headwiki download <name>`): `{endpoint}/{repo}/resolve/{revision}/{file}`, endpoint from HF_ENDPOINT
 * (default https://huggingface.co), token from HF_TOKEN for gated or private repos.
 * Each file is written to `<file>.part` and renamed when complete; an interrupted transfer resumes from the
 * `.part` file's size with an HTTP Range request (a connection dropped mid-file is retried the same way).
 */
export interface DownloadOptions {
  revision?: string;
  endpoint?: string;
  token?: string;
  /** Cache root (default: HEADWIKI_CACHE or ~/.cache/headwiki). */
  cacheDir?: string;
  /** Attempts per file when the connection drops (default 5). */
  attempts?: number;
  onProgress?: (p: DownloadProgress) => void;
}

export interface DownloadProgress {
  file: string;
  received: number;
  /** Total bytes, when the server said. */
  total: number | null;
  done: boolean;
}

export class HubError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Files of a Hugging Face model folder that headwiki reads, beyond the weights. */
const CONFIG_FILE = 'config.json';
const OPTIONAL_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt', 'generation_config.json'];

/**
 * A transformers model: config.json, the tokenizer files it has, and model.safetensors or its index + shards.
 * Returns the local folder.
 */
export async function downloadHfModel(repo: string, opts: DownloadOptions = {}): Promise<string> {
  const dir = targetDir(repo, opts);
  const complete = path.join(dir, COMPLETE_MARKER);
  if (fs.existsSync(complete)) return dir; // everything arrived before: no network at all
  await downloadFile(repo, CONFIG_FILE, opts);
  for (const file of OPTIONAL_FILES) await downloadFile(repo, file, opts, { optional: true });
  // A sharded download that was interrupted already has its index: don't ask for the single file again.
  const cachedIndex = path.join(dir, 'model.safetensors.index.json');
  const single = fs.existsSync(cachedIndex) ? null : await downloadFile(repo, 'model.safetensors', opts, { optional: true });
  if (!single) {
    const index = await downloadFile(repo, 'model.safetensors.index.json', opts, { optional: true });
    if (!index)
      throw new HubError(
        `${repo}: the repo has neither model.safetensors nor model.safetensors.index.json (headwiki reads safetensors weights only)`,
      );
    const weightMap = JSON.parse(await fsp.readFile(index, 'utf8')).weight_map ?? {};
    for (const shard of new Set(Object.values(weightMap) as string[])) await downloadFile(repo, shard, opts);
  }
  await fsp.writeFile(complete, new Date().toISOString());
  return dir;
}

/** Downloads one file into the repo's cache folder (skipped when already complete); returns its path, or null for an optional file the repo lacks. */
export async function downloadFile(
  repo: string,
  file: string,
  opts: DownloadOptions = {},
  how: { optional?: boolean } = {},
): Promise<string | null> {
  if (file !== path.basename(file) || file.startsWith('.') || !/^[A-Za-z0-9._-]+$/.test(file))
    throw new HubError(`${JSON.stringify(file)} is not a plain file name`);
  const dir = targetDir(repo, opts);
  const dest = path.join(dir, file);
  if (fs.existsSync(dest)) {
    opts.onProgress?.({ file, received: fs.statSync(dest).size, total: fs.statSync(dest).size, done: true });
    return dest;
  }
  await fsp.mkdir(dir, { recursive: true });
  const part = `${dest}.part`;
  const url = `${(opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(opts.revision ?? 'main')}/${file}`;
  const token = opts.token ?? process.env.HF_TOKEN;
  const attempts = opts.attempts ?? 5;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    const headers: Record<string, string> = { 'user-agent': 'headwiki' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (have > 0) headers.range = `bytes=${have}-`;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow' });
    } catch (e) {
      lastError = e;
      continue; // connection refused / reset before any answer: try again
    }
    if (response.status === 404 && how.optional) return null;
    if (response.status === 416 && have > 0) {
      // The .part file is already complete (or the server disagrees): start over once.
      await fsp.rm(part, { force: true });
      continue;
    }
    if (response.status !== 200 && response.status !== 206) throw httpError(url, response.status, repo);
    const resuming = response.status === 206;
    const total = totalSize(response, resuming ? have : 0);
    const out = fs.createWriteStream(part, { flags: resuming ? 'a' : 'w' });
    let writeError: Error | null = null;
    out.on('error', (e) => (writeError = e));
    let received = resuming ? have : 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        received += chunk.byteLength;
        opts.onProgress?.({ file, received, total, done: false });
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (e) {
      // Dropped mid-file: keep what arrived (flushed to the .part file); the next attempt resumes from its size.
      await new Promise<void>((resolve) => out.end(() => resolve()));
      lastError = writeError ?? e;
      continue;
    }
    if (total !== null && received !== total) {
      lastError = new Error(`received ${received} of ${total} bytes`);
      continue;
    }
    await fsp.rename(part, dest);
    opts.onProgress?.({ file, received, total, done: true });
    return dest;
  }
  throw new HubError(
    `${url}: download failed after ${attempts} attempts (${(lastError as Error)?.message ?? lastError}); run the command again to resume`,
  );
}

function targetDir(repo: string, opts: DownloadOptions): string {
  checkRepoId(repo);
  checkRevision(opts.revision ?? 'main');
  return repoCacheDir(repo, opts.revision ?? 'main', opts.cacheDir);
}

/** The whole file's size: Content-Range's total on a 206, Content-Length (+ what we had) otherwise. */
function totalSize(response: Response, offset: number): number | null {
  const range = response.headers.get('content-range');
  const match = range ? /\/(\d+)$/.exec(range) : null;
  if (match) return Number(match[1]);
  const length = response.headers.get('content-length');
  return length === null ? null : offset + Number(length);
}

function httpError(url: string, status: number, repo: string): HubError {
  if (status === 404) return new HubError(`${url}: 404 Not Found (no such repo, revision or file; is ${repo} spelled right?)`, status);
  if (status === 401 || status === 403) {
    return new HubError(`${url}: ${status} (the repo is gated or private: accept its license on the hub and set HF_TOKEN)`, status);
  }
  return new HubError(`${url}: HTTP ${status}`, status);
}
