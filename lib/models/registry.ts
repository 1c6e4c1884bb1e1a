import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLlama2cTokenizer } from '../tokenizers/llama2c';
import type { Tokenizer } from '../tokenizers/types';
import { loadLlama2c } from './llama2c';
import { COMPLETE_MARKER, repoCacheDir } from '../hub/cache';
import { loadModelFolder } from './load-folder';
import { officialSlug, resolveOfficialName } from './official-names';
import type { CanonicalModel } from './types';

/**
 * Turns what a user types (a bundled model's name, a checkpoint file, a model folder) into weights and
 * a tokenizer. Bundled models live in the repository's `data/models/`.
 */
export interface ResolvedModel {
  model: CanonicalModel;
  tokenizer: Tokenizer;
}

interface BundledModel {
  /** Relative to the repository root; also what the database records as the source. */
  checkpoint: string;
  /** llama2.c tokenizer file; absent for a model folder (Hugging Face layout, its own tokenizer.json). */
  tokenizer?: string;
  license: string;
}

const BUNDLED: Record<string, BundledModel> = {
  stories260K: {
    checkpoint: 'data/models/stories260K/stories260K.bin',
    tokenizer: 'data/models/stories260K/tok512.bin',
    license: 'MIT (Andrej Karpathy, llama2.c / tinyllamas)',
  },
  // Trained for headwiki on synthetic IOI sentences (scripts/dev/train-ioi-model.py): the bundled circuit demo.
  'ioi-4l': { checkpoint: 'data/models/ioi-4l', license: 'MIT (trained for headwiki, data/models/ioi-4l/README.md)' },
};

export const knownModelNames = Object.keys(BUNDLED);

/** Tokenizer files looked for beside a llama2.c checkpoint or in a model folder, in this order. */
const TOKENIZER_FILES = ['tok512.bin', 'tokenizer.bin'];

/**
 * Resolves, in order: a bundled model's name; `hf:owner/name` (a downloaded hub repo); a path to a llama2.c
 * `.bin` file or a model folder (Hugging Face or TransformerLens layout); a TransformerLens official name or
 * alias (`gpt2-small`, `pythia-70m`, `stories15M`), loaded from the download cache. Nothing is ever downloaded
 * here: a known model that is not in the cache fails with the command that downloads it.
 */
export async function resolveModel(nameOrPath: string, opts: { cacheDir?: string } = {}): Promise<ResolvedModel> {
  const bundled = BUNDLED[nameOrPath];
  if (bundled) return resolveBundled(nameOrPath, bundled);

  if (nameOrPath.startsWith('hf:')) {
    // `hf:owner/name@revision`: one checkpoint of a series (a branch, tag or commit downloaded with --revision).
    const [repo, revision] = nameOrPath.slice(3).split('@', 2) as [string, string | undefined];
    if (revision !== undefined) {
      const slug = `${repo.split('/').pop()!}.${revision.replace(/[^A-Za-z0-9._-]+/g, '-')}`.slice(0, 100);
      return resolveCached(repo, slug, nameOrPath, opts.cacheDir, undefined, revision);
    }
    const official = resolveOfficialName(repo);
    return resolveCached(repo, official ? officialSlug(official) : repo.split('/').pop()!, nameOrPath, opts.cacheDir);
  }

  const stat = fs.statSync(nameOrPath, { throwIfNoEntry: false });
  if (stat?.isFile()) {
    if (!nameOrPath.endsWith('.bin')) throw new Error(`${nameOrPath}: expected a llama2.c .bin checkpoint or a model folder`);
    const model = await loadLlama2c(nameOrPath);
    return { model, tokenizer: await loadLlama2cTokenizer(findTokenizer(path.dirname(nameOrPath), nameOrPath)) };
  }
  if (stat?.isDirectory()) return loadModelFolder(nameOrPath);

  const official = resolveOfficialName(nameOrPath);
  if (official) {
    const slug = officialSlug(official);
    const what = `${nameOrPath} is TransformerLens' ${official.name} (Hugging Face ${official.repo})`;
    switch (official.layout) {
      case 'bundled':
        return resolveBundled(official.name, BUNDLED[official.name]);
      case 'pytorch-only':
        throw new Error(
          `${what}: the hub has it only as a PyTorch pickle, which headwiki does not read. Save its state dict as model.safetensors with its config.json and give the folder's path.`,
        );
      case 'llama2c': {
        const file = path.join(repoCacheDir(official.repo, 'main', opts.cacheDir), official.file!);
        if (!fs.existsSync(file)) {
          throw new Error(
            `${what} is not downloaded yet: run \`npm run headwiki -- download ${slug}\`, or give the path of a local ${official.file}.`,
          );
        }
        const model = await loadLlama2c(file, { name: slug });
        return { model, tokenizer: await loadLlama2cTokenizer(findTokenizer(path.dirname(file), file)) };
      }
      case 'hf-safetensors':
        return resolveCached(official.repo, slug, nameOrPath, opts.cacheDir, what);
    }
  }
  throw new Error(
    `Unknown model ${JSON.stringify(nameOrPath)}: not a bundled model (${knownModelNames.join(', ')}), not a known TransformerLens name, and no such file or folder. ` +
      'Give a bundled or official name (e.g. gpt2-small, pythia-70m, stories15M), hf:owner/name, a llama2.c .bin checkpoint, ' +
      'or a folder with config.json + model.safetensors (Hugging Face or TransformerLens layout).',
  );
}

async function resolveBundled(name: string, bundled: BundledModel): Promise<ResolvedModel> {
  const root = repoRoot();
  if (!bundled.tokenizer) {
    const resolved = await loadModelFolder(path.join(root, bundled.checkpoint), { name, license: bundled.license });
    resolved.model.source.path = bundled.checkpoint;
    return resolved;
  }
  const model = await loadLlama2c(path.join(root, bundled.checkpoint), { name, license: bundled.license });
  // Record the repository-relative path: an absolute one would name this machine.
  model.source.path = bundled.checkpoint;
  // llama2.c's own encoder (every space kept), which its reference output was made with.
  return { model, tokenizer: await loadLlama2cTokenizer(path.join(root, bundled.tokenizer!)) };
}

/** A Hugging Face repo from the download cache, or an error saying how to download it. */
async function resolveCached(
  repo: string,
  name: string,
  asked: string,
  cacheDir?: string,
  what?: string,
  revision = 'main',
): Promise<ResolvedModel> {
  const dir = repoCacheDir(repo, revision, cacheDir);
  if (!fs.existsSync(path.join(dir, COMPLETE_MARKER))) {
    const command = asked.startsWith('hf:') ? (revision === 'main' ? asked : `hf:${repo} --revision ${revision}`) : name;
    throw new Error(
      `${what ?? `${asked} (Hugging Face ${repo})`} is not downloaded yet: run \`npm run headwiki -- download ${command}\` ` +
        '(fetches config.json, tokenizer and safetensors weights into the cache), or give the path of a local model folder.',
    );
  }
  const resolved = await loadModelFolder(dir, { name });
  resolved.model.source.path = revision === 'main' ? `hf:${repo}` : `hf:${repo}@${revision}`;
  return resolved;
}

function findTokenizer(dir: string, forWhat: string, preferred: string[] = []): string {
  const candidates = [...preferred, ...TOKENIZER_FILES];
  for (const name of candidates) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`${forWhat}: no tokenizer found beside it (looked for ${candidates.join(', ')} in ${dir})`);
}

/**
 * The repository root: two levels above this file, or the working directory when bundling moved this
 * file elsewhere (e.g. inside a Next.js build), whichever holds the bundled models.
 */
function repoRoot(): string {
  // turbopackIgnore: run-time paths; without it `next build` traces the whole repository into the server bundle.
  const candidates = [moduleDir() && path.resolve(/* turbopackIgnore: true */ moduleDir()!, '../..'), process.cwd()].filter(
    (d): d is string => !!d,
  );
  const root = candidates.find((dir) =>
    fs.existsSync(/* turbopackIgnore: true */ path.join(/* turbopackIgnore: true */ dir, 'data', 'models')),
  );
  if (!root) throw new Error(`Bundled models not found: no data/models folder in ${candidates.join(' or ')}`);
  return root;
}

function moduleDir(): string | null {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return null; // bundlers may give a non-file URL
  }
}
