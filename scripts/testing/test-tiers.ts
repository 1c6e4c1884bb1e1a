/**
 * Which vitest tier (project) a test file belongs to, read from what the file does, so that a new test lands in the
 * right tier without a list to keep up to date. vitest.config.ts turns the tiers into projects:
 *
 *   fast   no database, no child process, no real checkpoint: `npm run test:fast`, seconds
 *   slow   in-process but long: the whole head-wiki pipeline, the AssemblyScript compiler
 *   db     a real Postgres (embedded, migrated) per file
 *   queue  Postgres plus worker processes (pg-boss end to end)
 *   model  real checkpoints (bundled or ../shared/data) or inference in a child process
 *
 * The first rule that matches wins (the most expensive first).
 */
import fs from 'node:fs';
import path from 'node:path';

export type TestTier = 'fast' | 'slow' | 'db' | 'queue' | 'model';

export const TEST_TIERS: readonly TestTier[] = ['fast', 'slow', 'db', 'queue', 'model'];

const RULES: readonly { tier: Exclude<TestTier, 'fast'>; why: string; pattern: RegExp }[] = [
  { tier: 'queue', why: 'starts worker processes on a Postgres queue', pattern: /\bQueueCluster\b/ },
  { tier: 'db', why: 'starts a Postgres', pattern: /\b(startTestDatabase|startEmbeddedPostgres|applyMigrations)\b/ },
  { tier: 'model', why: 'reads the shared checkpoints', pattern: /\bsharedDataPath\(/ },
  { tier: 'model', why: 'loads a real checkpoint', pattern: /data\/models\/|\bresolveModel\(/ },
  { tier: 'model', why: 'starts a child process', pattern: /node:child_process|\bnew LiveEngine\(/ },
  { tier: 'slow', why: 'runs the whole head-wiki pipeline', pattern: /\b(computeHeadWiki|publishHeadWiki)\(/ },
  { tier: 'slow', why: 'runs the AssemblyScript compiler', pattern: /\bcompileKernel\(/ },
  { tier: 'slow', why: 'runs circuit discovery or every role detector', pattern: /\b(discoverCircuit|detectRoles)\(/ },
  { tier: 'slow', why: "runs a run's circuits step (discovery included)", pattern: /\bcomputeCircuitWiki\(/ },
];

/** The tier of a test file's source text, and the reason (for `npx tsx scripts/dev/test-tiers.ts`). */
export function testTierOf(source: string): { tier: TestTier; why: string } {
  for (const rule of RULES) if (rule.pattern.test(source)) return { tier: rule.tier, why: rule.why };
  return { tier: 'fast', why: 'in-process, hand-built or random weights' };
}

/**
 * Whether a test file replaces modules (vi.mock): such files need a fresh module registry, so the fast tier runs
 * them isolated; the others share one per worker (vitest's isolate: false), a third of the tier's CPU time.
 */
export function mocksModules(source: string): boolean {
  return /\bvi\.(mock|doMock)\(/.test(source);
}

export interface TestFile {
  /** Relative to the root, with forward slashes. */
  file: string;
  tier: TestTier;
  mocksModules: boolean;
}

/** Every `*.test.ts` / `*.test.tsx` under `dirs` (relative to `root`), sorted, with its tier. */
export function classifyTestFiles(root: string, dirs: readonly string[]): TestFile[] {
  const files: TestFile[] = [];
  for (const dir of dirs) {
    for (const full of walk(path.join(root, dir))) {
      const source = fs.readFileSync(full, 'utf8');
      files.push({
        file: path.relative(root, full).split(path.sep).join('/'),
        tier: testTierOf(source).tier,
        mocksModules: mocksModules(source),
      });
    }
  }
  return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The same, grouped by tier. */
export function testFilesByTier(root: string, dirs: readonly string[]): Record<TestTier, string[]> {
  const byTier: Record<TestTier, string[]> = { fast: [], slow: [], db: [], queue: [], model: [] };
  for (const f of classifyTestFiles(root, dirs)) byTier[f.tier].push(f.file);
  return byTier;
}

function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.test\.tsx?$/.test(entry.name)) yield full;
  }
}
