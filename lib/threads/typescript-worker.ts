/**
 * A worker thread running a TypeScript module of this repository. headwiki runs its sources through tsx
 * (`npm start`, the CLI, queue workers, tests), but a worker thread does not inherit tsx's module hooks: the
 * thread first registers them (tsx/esm/api), then imports the module. Its first message is `{ bootError }` when
 * that fails, so the caller can say why instead of waiting forever.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export function startTypeScriptWorker(module: URL, workerData: unknown): Worker {
  const bootstrap = `
const { parentPort } = require('node:worker_threads');
import(${JSON.stringify(tsxEsmApi())})
  .then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })
  .catch((e) => parentPort.postMessage({ bootError: String((e && e.stack) || e) }));
`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * tsx's ESM API module (its `import` export), found from here: the thread's own resolution would start from the
 * working directory, and the CommonJS build registers hooks at a wrong path when loaded this way.
 */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'];
  return pathToFileURL(path.join(path.dirname(manifest), exported.import.default)).href;
}
