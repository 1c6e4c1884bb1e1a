import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { writeTinyModel } from '../workers/queue-testing/tiny-model';

/**
 * A run on the work queue, watched in a real browser: `npm run headwiki -- run --workers 2` against the e2e server's
 * database, on a tiny model (workers/queue-testing/tiny-model.ts) so the run takes seconds. The run page shows
 * live progress and each worker's status while it runs (also without JavaScript), then turns into the published run.
 */

const pgPort = process.env.HEADWIKI_E2E_PG_PORT ?? '54339';
const databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${pgPort}/headwiki`;
const shots = process.env.HEADWIKI_E2E_SHOTS;

let tmp: string;
let cli: ChildProcess | null = null;

test.beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-e2e-queue-'));
});

test.afterAll(async () => {
  if (cli && cli.exitCode === null) {
    cli.kill('SIGTERM');
    await new Promise((r) => cli!.once('exit', r));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Starts the CLI's `run` (it plans, starts its workers and follows the run) and resolves with the run id it prints. */
function startCliRun(modelPath: string): Promise<string> {
  cli = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/cli.ts', 'run', '--model', modelPath, '--workers', '2', '--shards', '3', '--max-texts', '20'],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, HEADWIKI_QUEUE_POLL_S: '0.5', HEADWIKI_WORKER_HEARTBEAT_MS: '500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /run (r[a-z0-9]+): \d+ jobs queued/.exec(output);
      if (m) resolve(m[1]);
    };
    cli!.stdout!.on('data', onData);
    cli!.stderr!.on('data', onData);
    cli!.once('exit', (code) => reject(new Error(`headwiki run exited (${code}) before planning a run:\n${output}`)));
  });
}

test('a queued run shows live progress and per-worker status, then becomes the published run', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const runId = await startCliRun(writeTinyModel(tmp));

  await page.goto(`/runs/${runId}`);
  const progress = page.getByTestId('run-progress');
  await expect(progress).toHaveAttribute('data-status', 'running');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(runId);
  // Both workers appear with their device and what they do, and the page updates without a reload.
  const workers = page.getByTestId('run-workers');
  // The CLI's two (a header row, then one row per worker that took a job of this run).
  await expect.poll(() => workers.getByRole('row').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await expect(workers).toContainText('cpu');
  await expect(workers.getByRole('cell', { name: 'busy', exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('run-jobs')).toContainText('neurons:calibrate');
  await expect(progress).toContainText(/\d+\/\d+ jobs done/);
  // Per stage: jobs, tokens, tokens/s and time left; the neuron scan reads tokens at a measured rate.
  const stages = page.getByTestId('run-stages');
  await expect(stages).toContainText('head metrics');
  await expect(stages).toContainText('neurons@python-stdlib-sample');
  await expect
    .poll(
      async () =>
        (await stages
          .getByRole('row')
          .filter({ hasText: /^neurons\b/ })
          .first()
          .getByRole('cell')
          .nth(3)
          .textContent()) ?? '',
      {
        timeout: 120_000,
      },
    )
    .toMatch(/^[\d,]+$/);
  if (shots) await page.screenshot({ path: path.join(shots, 'run-in-progress.png'), fullPage: true });
  for (const width of [390, 1400]) {
    await page.setViewportSize({ width, height: 900 });
    // The stage table scrolls inside itself on a phone rather than widening the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    if (shots) await stages.screenshot({ path: path.join(shots, `run-stages-${width}.png`) });
  }

  // Without JavaScript the same progress is in the HTML, with a note to reload.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  try {
    const plain = await noJs.newPage();
    await plain.goto(`/runs/${runId}`);
    const status = await plain.getByTestId('run-progress').getAttribute('data-status');
    if (status === 'running') {
      await expect(plain.getByTestId('run-jobs')).toContainText('finalize');
      // The note is inside <noscript>: Chromium with scripting turned off by Playwright still parses it as text
      // (microsoft/playwright#32542), so it is checked in the HTML rather than on screen.
      expect(await plain.content()).toContain('reload the page for the latest progress');
      if (shots) await plain.screenshot({ path: path.join(shots, 'run-in-progress-no-js.png'), fullPage: true });
    }
  } finally {
    await noJs.close();
  }

  // Once published, the page reloads itself into the published run's page; its jobs and workers stay listed.
  await expect(page.getByTestId('run-tables')).toBeVisible({ timeout: 180_000 });
  await page.getByText(/Jobs and workers \(\d+ jobs on the work queue\)/).click();
  await expect(page.getByTestId('run-progress')).toHaveAttribute('data-status', 'published');
  await expect.poll(() => page.getByTestId('run-workers').getByRole('row').count()).toBeGreaterThanOrEqual(3);
  // The CLI printed its summary and stopped its workers.
  await new Promise((r) => (cli!.exitCode !== null ? r(null) : cli!.once('exit', r)));
  expect(cli!.exitCode).toBe(0);
  if (shots) await page.screenshot({ path: path.join(shots, 'run-published.png'), fullPage: true });
});
