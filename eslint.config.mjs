// `npm run lint` runs this (then prettier --check and tsc --noEmit). Recommended sets only, plus the few
// type-aware rules that catch real bugs in async code (a forgotten await loses a database error).
// Formatting is prettier's job: none of these sets has stylistic rules.
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'lib/generated/',
    // AssemblyScript, compiled by scripts/build-wasm.ts; its generated base64 module beside it.
    'lib/metrics/streaming/wasm/',
    'lib/metrics/streaming/observe-context-wasm.ts',
    'lib/metrics/streaming/reduce-positions-wasm.ts',
    '.next/',
    '.next-*/',
    '.headwiki/',
    'test-results/',
    'playwright-report/',
    'next-env.d.ts',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An un-awaited promise drops its rejection (a failed write, a crashed job) on the floor.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      // `_name` marks a parameter kept for its position (callbacks, interface methods).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['app/**/*.tsx', 'app/**/*.ts', 'e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['app/**/*.tsx', 'app/**/*.ts'],
    extends: [reactHooks.configs.flat['recommended-latest'], nextPlugin.configs['core-web-vitals']],
    rules: {
      // A pages/-router rule: here it flags links to the JSON API (/api/v1/...), which must stay plain <a>
      // (next/link would prefetch them and try a client-side navigation to a route handler).
      '@next/next/no-html-link-for-pages': 'off',
    },
  },
);
