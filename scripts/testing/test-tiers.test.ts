import { describe, expect, it } from 'vitest';
import { mocksModules, testFilesByTier, testTierOf } from './test-tiers';

// Sources are assembled from parts so that this file's own text does not match the rules it tests.
const src = (...parts: string[]) => parts.join('');

describe('test tiers', () => {
  it('puts each test file in the tier of the most expensive thing it does', () => {
    expect(testTierOf("import { expect } from 'vitest';\nexpect(1 + 1).toBe(2);").tier).toBe('fast');
    expect(testTierOf(src('const db = await start', 'TestDatabase();')).tier).toBe('db');
    expect(testTierOf(src('await start', 'EmbeddedPostgres({ dataDir });')).tier).toBe('db');
    expect(testTierOf(src('cluster = new Queue', 'Cluster(setup); await start', 'TestDatabase();')).tier).toBe('queue');
    expect(testTierOf(src('shared', "DataPath('models/gelu-2l')")).tier).toBe('model');
    expect(testTierOf(src("repoPath('data/", "models/stories260K/stories260K.bin')")).tier).toBe('model');
    expect(testTierOf(src("import { spawn } from 'node:child", "_process';")).tier).toBe('model');
    expect(testTierOf(src('const engine = new Live', 'Engine();')).tier).toBe('model');
    expect(testTierOf(src('const wiki = await compute', 'HeadWiki({ model, runner });')).tier).toBe('slow');
    expect(testTierOf(src('const wasm = compile', 'Kernel(source);')).tier).toBe('slow');
    // A pure helper imported from the queue proofs' folder is not the queue.
    expect(testTierOf(src("import { compareRunTables } from '../../workers/queue-", "testing/proofs';")).tier).toBe('fast');
  });

  it('tells the files that replace modules (they must run isolated)', () => {
    expect(mocksModules(src('vi.mo', "ck('../db/client', () => ({}));"))).toBe(true);
    expect(mocksModules(src('vi.do', "Mock('./x');"))).toBe(true);
    expect(mocksModules('const mock = vi.fn();')).toBe(false);
  });

  it('classifies every test file of the repository into exactly one tier', () => {
    const byTier = testFilesByTier(process.cwd(), ['lib', 'workers', 'scripts', 'app']);
    const all = Object.values(byTier).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain('scripts/testing/test-tiers.test.ts');
    expect(byTier.fast).toContain('scripts/testing/test-tiers.test.ts');
    expect(byTier.db).toContain('lib/db/db.test.ts');
    expect(byTier.queue).toEqual(['workers/diff-queue.test.ts', 'workers/worker-process.test.ts']);
    expect(byTier.model).toContain('lib/metrics/heads/real-models.test.ts');
    expect(byTier.slow).toContain('scripts/build-wasm.test.ts');
  });
});
