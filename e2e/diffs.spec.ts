import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeTinyModel } from '../workers/queue-testing/tiny-model';

/**
 * Model diffs and a checkpoint series in a real browser (issue 17). `npm run headwiki -- series` runs against the
 * e2e server's database on two tiny checkpoints (workers/queue-testing/tiny-model.ts, two seeds of one shape), so
 * the CLI computes both runs, the white-box diff between them and the series in well under a minute; `diff` then
 * compares the bundled stories260K (npm start's run) with one of them: different shapes, black box only.
 * Each page is read at 390 px and 1,400 px with JavaScript off: the answer near the top, nothing wider than the screen.
 */

const pgPort = process.env.HEADWIKI_E2E_PG_PORT ?? '54339';
const databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${pgPort}/headwiki`;
const shots = process.env.HEADWIKI_E2E_SHOTS;

let tmp: string;
let seriesId: string;
let whiteBoxDiffId: string;
let blackBoxDiffId: string;

function cli(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, HEADWIKI_QUEUE_POLL_S: '0.5', HEADWIKI_WORKER_HEARTBEAT_MS: '500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`headwiki ${args[0]} exited ${code}:\n${err.slice(-3000)}`)),
    ),
  );
}

test.beforeAll(async () => {
  test.setTimeout(480_000);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-e2e-diff-'));
  const dir = path.join(tmp, 'series');
  fs.mkdirSync(dir);
  for (const [seed, step] of [
    [1, 100],
    [2, 200],
  ]) {
    const file = writeTinyModel(path.join(tmp, `seed${seed}`), seed);
    fs.copyFileSync(file, path.join(dir, `e2e-tiny-step${step}.bin`));
    fs.copyFileSync(path.join(path.dirname(file), 'tok512.bin'), path.join(dir, 'tok512.bin'));
  }
  const small = ['--max-texts', '12', '--scan-documents', '12', '--max-documents', '6', '--workers', '1'];
  seriesId = JSON.parse(await cli(['series', '--name', 'e2e tiny series', '--checkpoints', dir, ...small])).series;
  const series = (await (await fetch(`http://127.0.0.1:${process.env.HEADWIKI_E2E_PORT ?? 3100}/api/v1/series/${seriesId}`)).json()) as {
    checkpoints: { diffId: string | null }[];
  };
  whiteBoxDiffId = series.checkpoints[1].diffId!;
  blackBoxDiffId = JSON.parse(await cli(['diff', '--a', 'stories260K', '--b', path.join(dir, 'e2e-tiny-step200.bin'), ...small])).diff;
});

test.afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Reads a page at both widths without JavaScript; returns nothing, asserts no page-wide horizontal scroll. */
async function atBothWidths(
  browser: import('@playwright/test').Browser,
  url: string,
  name: string,
  check: (page: Page, width: number) => Promise<void>,
) {
  for (const width of [390, 1400]) {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
    const page = await context.newPage();
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    await check(page, width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${url} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    if (shots) await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    await context.close();
  }
}

test('a white-box diff reads without JavaScript: the verdict first, then where each model does better and what moved', async ({
  browser,
}) => {
  await atBothWidths(browser, `/diffs/${whiteBoxDiffId}`, 'diff-white-box', async (page, width) => {
    const verdict = page.getByTestId('diff-verdict');
    await expect(verdict).toContainText('predicts the text better');
    // The answer is on the first screen.
    expect((await verdict.boundingBox())!.y).toBeLessThan(width < 640 ? 500 : 350);
    await expect(page.getByTestId('contexts-b').locator('li').first()).toBeVisible();
    await expect(page.getByTestId('alignment')).toContainText('token');
    await expect(page.getByTestId('weights-table').locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('activations-table')).toBeVisible();
    await expect(page.getByTestId('dla-table')).toBeVisible();
    await expect(page.getByTestId('permalink')).toHaveAttribute('href', `/diffs/${whiteBoxDiffId}`);
  });
});

test('a diff of two architectures is black box only and says how it aligned the texts', async ({ browser }) => {
  await atBothWidths(browser, `/diffs/${blackBoxDiffId}`, 'diff-black-box', async (page) => {
    await expect(page.getByTestId('diff-verdict')).toBeVisible();
    await expect(page.getByTestId('no-white-box')).toContainText('differ in architecture');
    await expect(page.getByTestId('alignment')).not.toBeEmpty();
    await expect(page.getByTestId('continuations')).toBeVisible();
    // The circuit tasks both models were tried on: a value per model, or why a model cannot run the task.
    await expect(page.getByTestId('diff-tasks')).toContainText('induction');
  });
});

test('the series page draws loss and head metrics over steps and links each checkpoint', async ({ browser }) => {
  await atBothWidths(browser, `/series/${seriesId}`, 'series', async (page) => {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e tiny series');
    await expect(page.getByTestId('series-formation').locator('li').first()).toBeVisible();
    await expect(page.getByTestId('chart-loss').locator('path')).toHaveCount(1);
    // One line per head (2 layers × 4 heads) on the induction chart, each point titled with its value.
    await expect(page.getByTestId('chart-induction').locator('path')).toHaveCount(8);
    const rows = page.getByTestId('series-checkpoints').locator('tbody tr');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1).locator('a').last()).toHaveAttribute('href', `/diffs/${whiteBoxDiffId}`);
  });
  // The checkpoint's own pages: the pinned model page of its run.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`/series/${seriesId}`);
  await page.getByTestId('series-checkpoints').locator('tbody tr').first().locator('a').first().click();
  await expect(page).toHaveURL(/\/runs\/r[a-z0-9]+\/models\/e2e-tiny-step100/);
  await context.close();
});

test('the listing, the JSON and CSV, and unknown ids answer in the project shape', async ({ page, request }) => {
  await page.goto('/diffs');
  await expect(page.getByTestId('diffs-table')).toContainText(whiteBoxDiffId);
  await expect(page.getByTestId('series-list')).toContainText('e2e tiny series');

  const json = await request.get(`/api/v1/diffs/${whiteBoxDiffId}`);
  expect(json.status()).toBe(200);
  const body = (await json.json()) as { blackBox: { kind: string }; whiteBox: { kind: string } };
  expect(body.blackBox.kind).toBe('black-box');
  expect(body.whiteBox.kind).toBe('white-box');
  const csv = await request.get(`/api/v1/diffs/${whiteBoxDiffId}/export/weights.csv`);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split('\n')[0]).toBe('kind,weight,layer,index,norm_a,norm_b,diff_norm,relative');

  for (const url of ['/diffs/dnosuchdiff', '/diffs/not-an-id', '/series/snosuchseri', '/series/%00']) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(404);
  }
  const missing = await request.get('/api/v1/diffs/dnosuchdiff');
  expect(missing.status()).toBe(404);
  expect(((await missing.json()) as { error: { status: number } }).error.status).toBe(404);
  expect((await request.get(`/api/v1/diffs/${blackBoxDiffId}/export/weights.csv`)).status()).toBe(404);
});
