import os from 'node:os';
import path from 'node:path';

/**
 * Where downloaded checkpoints live: `$HEADWIKI_CACHE`, else `~/.cache/headwiki`; one folder per repo and
 * revision (`hub/openai-community--gpt2/main/`) holding the repo's files under their own names, so a
 * downloaded folder is an ordinary model folder that `resolveModel` loads like any other path.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.HEADWIKI_CACHE || path.join(os.homedir(), '.cache', 'headwiki');
}

/** Repo ids are `name` or `owner/name` of letters, digits, `-`, `_`, `.`; anything else could escape the cache. */
export function checkRepoId(repo: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/.test(repo) || repo.includes('..')) {
    throw new Error(`${JSON.stringify(repo)} is not a Hugging Face repo id (owner/name)`);
  }
  return repo;
}

export function checkRevision(revision: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(revision) || revision.includes('..'))
    throw new Error(`${JSON.stringify(revision)} is not a revision (branch, tag or commit)`);
  return revision;
}

export function repoCacheDir(repo: string, revision = 'main', root = cacheRoot()): string {
  return path.join(root, 'hub', checkRepoId(repo).replace('/', '--'), checkRevision(revision).replace(/\//g, '--'));
}

/** Written into a repo's folder when its download finished; its absence means "not there yet, or resume". */
export const COMPLETE_MARKER = '.headwiki-complete';
