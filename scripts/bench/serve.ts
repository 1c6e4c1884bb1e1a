/**
 * Serving benchmark (issue 16): the production server (`next start`) on a copy of a published run, driven from
 * this script by 50 concurrent clients, per target: req/s, p50, p99, p50 ÷ the static file's p50 (measured in the
 * same run: the physical limit this machine serves a file at), errors. Then page weight (HTML bytes, how much of it
 * is the flight payload, DOM elements as Chromium parses them) for every page type of a GPT-2-XL-sized run.
 *
 *   npx tsx scripts/bench/serve.ts [--seconds 10] [--connections 50] [--fresh] [--weight-only] [--load-only]
 *   npx tsx scripts/bench/serve.ts --serve-only      # just start the server on the bench database (Ctrl-C stops it)
 *   --live-only: just the live storm (10 clients on a live page while 50 read a cached one)
 *   --next-start: plain `next start` instead of npm start's server (scripts/lib/serve-next.ts), to compare
 *   HEADWIKI_BENCH_PORT=3162 HEADWIKI_BENCH_PG_PORT=54462     server and Postgres ports (defaults as shown)
 *
 * Needs a build (`npm run build`, or a first `npm start`) and the bundled run published by `npm start`, whose
 * Postgres must be stopped while it is copied the first time (scripts/bench/serve/bench-database.ts).
 * Targets: pages p50 ≤ 3 × static p50, p99 ≤ 200 ms, 0 errors; every page ≤ 400 KB HTML and ≤ 3,000 DOM elements.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/paths';
import { nextDistDir, require_next_bin } from '../lib/next-build';
import { openBenchDatabase } from './serve/bench-database';
import { drive, type LoadResult } from './serve/load';
import { measurePage, openBrowser } from './serve/page-weight';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '50'));
const PORT = Number(process.env.HEADWIKI_BENCH_PORT ?? 3162);
const PG_PORT = Number(process.env.HEADWIKI_BENCH_PG_PORT ?? 54462);
const BASE = `http://127.0.0.1:${PORT}`;
const log = (s: string) => console.log(`[serve] ${s}`);

async function startServer(databaseUrl: string): Promise<ChildProcess> {
  if (!fs.existsSync(path.join(repoRoot, nextDistDir(), 'BUILD_ID'))) throw new Error('no Next build: run `npm run build` first');
  // The server `npm start` runs (scripts/lib/serve-next.ts); `--next-start` measures plain `next start` instead.
  const command = flag('next-start')
    ? [require_next_bin(repoRoot), 'start', '-p', String(PORT), '-H', '127.0.0.1']
    : ['--import', 'tsx', path.join(repoRoot, 'scripts', 'lib', 'serve-next.ts')];
  const server = spawn(process.execPath, command, {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      PORT: String(PORT),
      HEADWIKI_HOST: '127.0.0.1',
    },
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${BASE}/api/v1/models`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error('the server did not answer within 120 s');
}

function staticFile(): string {
  const dir = path.join(repoRoot, nextDistDir(), 'static', 'chunks');
  const file = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()[0];
  return `/_next/static/chunks/${file}`;
}

async function latestRunId(slug: string): Promise<string> {
  const body = (await (await fetch(`${BASE}/api/v1/models/${slug}/runs`)).json()) as { runs: { id: string }[] };
  return body.runs[0].id;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function loadTest(targets: [string, string][]) {
  const results: [string, string, LoadResult][] = [];
  for (const [name, url] of targets) {
    // Warm-up: the first request of a cached page renders it; the table is about serving.
    for (let i = 0; i < 3; i++) await fetch(BASE + url).then((r) => r.arrayBuffer());
    await drive(BASE, url, { connections: CONNECTIONS, seconds: Math.min(2, SECONDS) });
    const r = await drive(BASE, url, { connections: CONNECTIONS, seconds: SECONDS });
    results.push([name, url, r]);
    log(`${name}: ${r.reqPerS.toFixed(0)} req/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, errors ${r.errors}`);
  }
  const base = results[0][2].p50;
  console.log(`\n${CONNECTIONS} concurrent clients, ${SECONDS} s per target (after a warm-up); ratios within this run`);
  console.log('| target | req/s | p50 ms | p99 ms | p50 ÷ static p50 | errors | statuses |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, url, r] of results) {
    const statuses = Object.entries(r.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    console.log(
      `| ${name} \`${url}\` | ${r.reqPerS.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.p50 / base).toFixed(2)} | ${r.errors} | ${statuses} |`,
    );
  }
  const pages = results.slice(1).filter(([name]) => !name.startsWith('API'));
  const ok = pages.every(([, , r]) => r.p50 <= 3 * base && r.p99 <= 200 && r.errors === 0);
  console.log(`target (pages p50 ≤ 3 × static, p99 ≤ 200 ms, 0 errors): ${ok ? 'met' : 'NOT met'}`);
}

/**
 * Live inference under abuse: 10 clients hammer a live page (`?text=`, rendered per request, rate-limited per client)
 * while 50 read a cached page. The live requests must degrade to 429/503 with Retry-After, and the cached page must
 * stay within the page bounds.
 */
async function liveStorm(cachedUrl: string, liveUrl: string) {
  const base = (await drive(BASE, staticFile(), { connections: CONNECTIONS, seconds: SECONDS })).p50;
  const [cached, live] = await Promise.all([
    drive(BASE, cachedUrl, { connections: CONNECTIONS, seconds: SECONDS }),
    drive(BASE, liveUrl, { connections: 10, seconds: SECONDS }),
  ]);
  const after = await fetch(BASE + liveUrl);
  await after.arrayBuffer();
  const statuses = (r: LoadResult) =>
    Object.entries(r.statuses)
      .map(([k, n]) => `${k}×${n}`)
      .join(' ');
  console.log(`\nLive storm: 10 clients on a live page while ${CONNECTIONS} read a cached one (${SECONDS} s)`);
  console.log(`| target | req/s | p50 ms | p99 ms | p50 ÷ static p50 (${ms(base)} ms) | statuses |`);
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| cached \`${cachedUrl}\` | ${cached.reqPerS.toFixed(0)} | ${ms(cached.p50)} | ${ms(cached.p99)} | ${(cached.p50 / base).toFixed(2)} | ${statuses(cached)} |`,
  );
  console.log(`| live \`${liveUrl}\` | ${live.reqPerS.toFixed(0)} | ${ms(live.p50)} | ${ms(live.p99)} | | ${statuses(live)} |`);
  const retryAfter = after.headers.get('retry-after');
  console.log(`a live request after the storm: ${after.status}, Retry-After: ${retryAfter ?? 'none'}`);
  const liveOk =
    Object.keys(live.statuses).every((k) => ['200', '429', '503'].includes(k)) && (after.status === 200 || retryAfter !== null);
  const ok = liveOk && cached.p50 <= 3 * base && cached.p99 <= 200 && cached.errors === 0;
  console.log(
    `target (live → 200/429/503 with Retry-After; the cached page p50 ≤ 3 × static, p99 ≤ 200 ms, 0 errors): ${ok ? 'met' : 'NOT met'}`,
  );
}

async function pageWeights(pages: [string, string][]) {
  const browser = await openBrowser();
  console.log('\nPage weight (fake GPT-2-XL-sized run: 48 layers × 25 heads, 6,400 neurons per layer)');
  console.log('| page | status | HTML KB | flight payload KB (share) | DOM elements |');
  console.log('|---|---|---|---|---|');
  let ok = true;
  try {
    for (const [name, url] of pages) {
      const w = await measurePage(browser, BASE + url).catch((e: Error) => {
        console.log(`| ${name} \`${url}\` | ${e.name === 'TimeoutError' ? 'no answer in 240 s' : e.message} | | | |`);
        return null;
      });
      if (!w) {
        ok = false;
        continue;
      }
      ok &&= w.status === 200 && w.htmlBytes <= 400 * 1024 && w.domElements <= 3000;
      const share = w.htmlBytes ? Math.round((100 * w.flightBytes) / w.htmlBytes) : 0;
      console.log(
        `| ${name} \`${url}\` | ${w.status} | ${(w.htmlBytes / 1024).toFixed(0)} | ${(w.flightBytes / 1024).toFixed(0)} (${share} %) | ${w.domElements} |`,
      );
    }
  } finally {
    await browser.close();
  }
  console.log(`target (every page ≤ 400 KB HTML, ≤ 3,000 DOM elements): ${ok ? 'met' : 'NOT met'}`);
}

async function main() {
  const pg = await openBenchDatabase({ port: PG_PORT, fresh: flag('fresh'), log });
  process.env.DATABASE_URL = pg.url;
  let server: ChildProcess | null = null;
  try {
    const { seedFakeXl } = await import('../dev/fake-xl');
    const xl = await seedFakeXl({ log });
    server = await startServer(pg.url);
    if (flag('serve-only')) {
      log(`serving ${BASE} (XL run ${xl.runId}); Ctrl-C stops`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      return;
    }
    const small = 'stories260K';
    const smallRun = await latestRunId(small);
    const liveUrl = `/models/${small}/heads/1.3?text=${encodeURIComponent('Once upon a time there was a cat.')}`;
    if (flag('live-only')) return await liveStorm(`/models/${small}/heads/1.3`, liveUrl);
    if (!flag('weight-only')) {
      await loadTest([
        ['static file', staticFile()],
        ['model', `/models/${small}`],
        ['head', `/models/${small}/heads/1.3`],
        ['neuron', `/models/${small}/neurons/0/5`],
        ['layer', `/models/${small}/layers/0`],
        ['search', '/search?q=little'],
        ['model (pinned)', `/runs/${smallRun}/models/${small}`],
        ['model, XL', `/models/${xl.modelSlug}`],
        ['head, XL', `/models/${xl.modelSlug}/heads/47.24`],
        ['neuron, XL', `/models/${xl.modelSlug}/neurons/47/3`],
        ['layer, XL', `/models/${xl.modelSlug}/layers/47`],
        ['API heads', `/api/v1/models/${small}/heads`],
      ]);
      await liveStorm(
        `/models/${small}/heads/1.3`,
        `/models/${small}/heads/1.3?text=${encodeURIComponent('Once upon a time there was a cat.')}`,
      );
    }
    if (!flag('load-only')) {
      const m = `/models/${xl.modelSlug}`;
      await pageWeights([
        ['model', m],
        ['model, sorted, page 3', `${m}?sort=induction&dir=desc&page=3`],
        ['head', `${m}/heads/47.24`],
        ['head (embed)', `${m}/heads/47.24?embed=1`],
        ['neuron', `${m}/neurons/47/3`],
        ['layer', `${m}/layers/47`],
        ['layer, sorted by kurtosis, page 10', `${m}/layers/47?sort=kurtosis&dir=desc&page=10`],
        ['composition', `${m}/composition`],
        ['model (pinned)', `/runs/${xl.runId}/models/${xl.modelSlug}`],
        ['run', `/runs/${xl.runId}`],
        ['runs of the model', `${m}/runs`],
        ['search', '/search?q=the'],
        ['models', '/models'],
        ['home', '/'],
      ]);
    }
  } finally {
    server?.kill('SIGTERM');
    await pg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
