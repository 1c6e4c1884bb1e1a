import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import path from 'node:path';
import { TEST_TIERS, classifyTestFiles } from './scripts/testing/test-tiers';

const root = import.meta.dirname;
// Each test file's tier (fast, slow, db, queue, model) is read from what it does: scripts/testing/test-tiers.ts.
// `npm run test:fast` runs the fast tier alone (projects fast and fast-mocks); `vitest run` runs every tier.
const files = classifyTestFiles(root, ['lib', 'workers', 'scripts', 'app']);

function project(name: string, include: string[], isolate = true): TestProjectInlineConfiguration[] {
  return include.length === 0 ? [] : [{ extends: true, test: { name, include, isolate } }];
}

export default defineConfig({
  resolve: { alias: { '@': path.resolve(root) } },
  test: {
    exclude: ['e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      // Fast tests are pure: they share a module registry per worker, except those that vi.mock modules.
      ...project(
        'fast',
        files.filter((f) => f.tier === 'fast' && !f.mocksModules).map((f) => f.file),
        false,
      ),
      ...project(
        'fast-mocks',
        files.filter((f) => f.tier === 'fast' && f.mocksModules).map((f) => f.file),
      ),
      ...TEST_TIERS.filter((tier) => tier !== 'fast').flatMap((tier) =>
        project(
          tier,
          files.filter((f) => f.tier === tier).map((f) => f.file),
        ),
      ),
    ],
  },
});
