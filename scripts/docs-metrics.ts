/**
 * Rewrites the generated parts of docs/metrics.md from the head-metric registry (lib/metrics/heads/metrics-doc.ts).
 *
 *   npm run docs:metrics             # after changing a metric's definition, citation, range or version
 */
import fs from 'node:fs';
import path from 'node:path';
import { headMetrics } from '../lib/metrics/heads/registry';
import { renderMetricsDoc } from '../lib/metrics/heads/metrics-doc';
import { repoRoot } from './lib/paths';

const file = path.join(repoRoot, 'docs/metrics.md');
const before = fs.readFileSync(file, 'utf8');
const after = renderMetricsDoc(before, headMetrics);
if (after === before) {
  console.log('docs/metrics.md is up to date');
} else {
  fs.writeFileSync(file, after);
  console.log(`docs/metrics.md rewritten from lib/metrics/heads/registry.ts (${headMetrics.length} metrics)`);
}
