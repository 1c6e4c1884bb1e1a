import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever the clone lives (scripts/ is one level down). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Project-local state: the embedded Postgres data directory, caches. Gitignored. */
export const stateDir = process.env.HEADWIKI_STATE_DIR ? path.resolve(process.env.HEADWIKI_STATE_DIR) : path.join(repoRoot, '.headwiki');
