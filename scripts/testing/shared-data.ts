import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tests and benchmarks only: the team's shared checkpoints and corpora live in the `data` folder of a `shared`
 * folder beside the repository (not in a user's clone). Runtime code must never import this.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the shared data folder should be: HEADWIKI_SHARED_DATA, else ../shared/data beside the repository. */
function expectedSharedDataDir(): string {
  return process.env.HEADWIKI_SHARED_DATA ? path.resolve(process.env.HEADWIKI_SHARED_DATA) : path.join(repoRoot, '..', 'shared', 'data');
}

/** The shared data folder, or null when this checkout has none beside it. */
export function sharedDataDir(): string | null {
  const dir = expectedSharedDataDir();
  return fs.existsSync(dir) ? dir : null;
}

/** A file or folder inside the shared data; throws a clear error (so the test fails, never skips) when absent. */
export function sharedDataPath(relative: string): string {
  const dir = sharedDataDir();
  if (dir === null) {
    throw new Error(
      `This test needs the shared data folder ${expectedSharedDataDir()} ` +
        `(checkpoints and corpora beside the repository); it was not found.`,
    );
  }
  const full = path.join(dir, relative);
  if (!fs.existsSync(full)) throw new Error(`Shared data file missing: ${full}`);
  return full;
}

/**
 * For `describe.skipIf` / `it.skipIf`: true when some of these shared-data paths are missing here, outside CI (a
 * clone without the team's data folder skips those tests, saying why). In CI (env CI set) it is always false, so
 * missing data fails the test with sharedDataPath's message instead of passing it by skipping.
 */
export function withoutSharedData(...relative: string[]): boolean {
  if (process.env.CI) return false;
  const dir = sharedDataDir();
  const missing = relative.filter((r) => dir === null || !fs.existsSync(path.join(dir, r)));
  if (missing.length === 0) return false;
  console.warn(`skipped: needs ${missing.map((r) => path.join(expectedSharedDataDir(), r)).join(', ')} (not found; in CI this fails)`);
  return true;
}

/** A file bundled in the repository (e.g. `data/models/stories260K/stories260K.bin`). */
export function repoPath(relative: string): string {
  return path.join(repoRoot, relative);
}
