import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SOURCE_DIRS = ['app', 'lib', 'public'];
const SOURCE_FILES = ['next.config.js', 'proxy.ts', 'package-lock.json', 'tsconfig.json'];

/** A hash of everything `next build` reads, so a start only rebuilds when the code changed. */
function sourceHash(root: string): string {
  const hash = createHash('sha256');
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      if (rel.endsWith('generated') || rel.includes('node_modules')) return;
      for (const name of fs.readdirSync(abs).sort()) visit(path.join(rel, name));
    } else if (!/\.test\.tsx?$/.test(rel)) {
      hash.update(rel).update('\0').update(fs.readFileSync(abs)).update('\0');
    }
  };
  for (const d of SOURCE_DIRS) visit(d);
  for (const f of SOURCE_FILES) visit(f);
  return hash.digest('hex');
}

/** Runs `next build` unless the existing build was made from the same sources. */
export function ensureNextBuild(root: string, log: (msg: string) => void): void {
  const marker = path.join(root, nextDistDir(), 'headwiki-source-hash');
  const want = sourceHash(root);
  if (fs.existsSync(path.join(root, nextDistDir(), 'BUILD_ID')) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) {
    log('web app: build is up to date');
    return;
  }
  log('web app: building (next build, about a minute on 2 cores)...');
  const t0 = Date.now();
  const res = spawnSync(process.execPath, [require_next_bin(root), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (res.status !== 0) throw new Error(`next build failed (exit ${res.status}); see the output above`);
  fs.writeFileSync(marker, want);
  log(`web app: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export function require_next_bin(root: string): string {
  return path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
}

/** Next's build folder: `.next`, or HEADWIKI_NEXT_DIST (same variable as next.config.js). */
export function nextDistDir(): string {
  return process.env.HEADWIKI_NEXT_DIST ?? '.next';
}
