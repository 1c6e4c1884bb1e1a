import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';

/**
 * Serving a wiki with a big model (issue 16): pages rendered once and served from cache until a run is published,
 * the head table and the layer table paged on the server (links that work without JavaScript), heatmaps and
 * composition matrices drawn as images of the run. `fake-wide` (6 layers × 12 heads, 300 neurons per layer) is a
 * fake run cloned from the bundled one (scripts/dev/seed-fake-xl.ts): big enough for every paged and image view.
 */
const SHOTS = process.env.HEADWIKI_E2E_STATE_DIR ?? '.headwiki/e2e';
const PG_PORT = process.env.HEADWIKI_E2E_PG_PORT ?? '54339';

function seedWide(again = false): string {
  const out = execFileSync(
    'npx',
    [
      'tsx',
      'scripts/dev/seed-fake-xl.ts',
      '--slug',
      'fake-wide',
      '--layers',
      '6',
      '--heads',
      '12',
      '--d-mlp',
      '300',
      ...(again ? ['--again'] : []),
    ],
    {
      env: { ...process.env, DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${PG_PORT}/headwiki` },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    },
  );
  return out.trim().split('\n').pop()!;
}

let firstRun = '';
test.beforeAll(() => {
  firstRun = seedWide();
});

async function inductionValues(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid="head-row"] td[data-metric="induction"]', (tds) =>
    tds.map((td) => Number((td as HTMLElement).dataset.value)),
  );
}

for (const width of [390, 1400]) {
  test(`head table of a 72-head model: server pages of 50, sorting restarts at page 1 (${width} px)`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/models/fake-wide');
    await expect(page.getByTestId('head-row')).toHaveCount(50);
    await expect(page.getByTestId('head-count')).toHaveText('72 heads, 1–50 shown');
    await page.getByTestId('head-pager-next').click();
    await expect(page).toHaveURL(/\/models\/fake-wide\?page=2$/);
    await expect(page.getByTestId('head-row')).toHaveCount(22);
    await expect(page.getByTestId('head-row').first()).toHaveAttribute('data-head', 'L4H2');
    await page.getByTestId('head-pager').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/i16-head-table-page2-${width}.png`, fullPage: false });

    await page.getByTestId('sort-induction').click();
    await expect(page).toHaveURL(/sort=induction&dir=desc$/);
    await expect(page.getByTestId('head-count')).toHaveText('72 heads, 1–50 shown');
    const first = await inductionValues(page);
    expect(first).toEqual([...first].sort((a, b) => b - a));
    await page.getByTestId('head-pager-next').click();
    await expect(page).toHaveURL(/sort=induction&dir=desc&page=2$/);
    const second = await inductionValues(page);
    expect(second).toHaveLength(22);
    expect(Math.max(...second)).toBeLessThanOrEqual(Math.min(...first));

    // The layer filter is a navigation too: 12 heads of layer 5.
    await page.getByTestId('filter-layer').selectOption('5');
    await expect(page).toHaveURL(/layer=5/);
    await expect(page.getByTestId('head-row')).toHaveCount(12);
    await expect(page.getByTestId('head-pager')).toHaveCount(0);
  });
}

test('without JavaScript the head and layer pagers are plain links', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } });
  const page = await context.newPage();
  await page.goto('/models/fake-wide?sort=previous_token&dir=asc');
  await page.getByTestId('head-pager-next').click();
  await expect(page).toHaveURL(/sort=previous_token&dir=asc&page=2$/);
  await expect(page.getByTestId('head-row')).toHaveCount(22);
  await page.goto('/models/fake-wide/layers/1?sort=density&dir=desc');
  await expect(page.getByTestId('neuron-table').locator('tbody tr')).toHaveCount(100);
  await page.getByTestId('neuron-pager').getByRole('link', { name: '3', exact: true }).click();
  await expect(page).toHaveURL(/sort=density&dir=desc&page=3$/);
  await expect(page.getByTestId('neuron-table').locator('tbody tr')).toHaveCount(100);
  await context.close();
});

for (const width of [390, 1400]) {
  test(`layer table pages of 100 neurons in the requested order (${width} px)`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/models/stories260K/layers/2?sort=maxAct&dir=desc');
    const maxCells = page.getByTestId('neuron-table').locator('tbody tr td:nth-child(2)');
    await expect(maxCells).toHaveCount(100);
    const first = (await maxCells.allTextContents()).map(Number);
    expect(first).toEqual([...first].sort((a, b) => b - a));
    await page.getByTestId('neuron-pager-next').click();
    await expect(page).toHaveURL(/sort=maxAct&dir=desc&page=2$/);
    await expect(maxCells).toHaveCount(72);
    const second = (await maxCells.allTextContents()).map(Number);
    expect(Math.max(...second)).toBeLessThanOrEqual(Math.min(...first));
    await page.getByTestId('neuron-pager').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/i16-layer-page2-${width}.png`, fullPage: false });
  });
}

test('a big model draws heatmaps and composition matrices as images of its run', async ({ page, request }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto('/models/fake-wide');
  const images = page.getByTestId('heatmap-image');
  expect(await images.count()).toBeGreaterThan(5);
  const href = await images.first().getAttribute('href');
  expect(href).toMatch(new RegExp(`^/runs/${firstRun}/models/fake-wide/heatmaps/[a-z_]+\\.png$`));
  const png = await request.get(href!);
  expect(png.headers()['content-type']).toBe('image/png');
  expect(png.headers()['cache-control']).toContain('immutable');
  await page.screenshot({ path: `${SHOTS}/i16-heatmaps-1400.png`, fullPage: true });

  await page.goto('/models/fake-wide/composition');
  for (const kind of ['q', 'k', 'v']) {
    const matrix = page.getByTestId(`composition-matrix-${kind}`);
    await expect(matrix.getByTestId('composition-image')).toHaveCount(1);
    await expect(matrix.getByTestId('composition-cell')).toHaveCount(0);
    await expect(page.getByTestId(`composition-top-${kind}`).locator('tbody tr')).toHaveCount(5);
  }
  const k = page.getByTestId('composition-matrix-k');
  await k.getByTestId('composition-image').scrollIntoViewIfNeeded();
  const box = (await k.getByTestId('composition-image').boundingBox())!;
  // Bottom-left region: a writing head in an early layer, a reading head in a later one.
  // (Moved until hydration has attached the handler.)
  await expect(async () => {
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.06);
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.05);
    await expect(k.getByTestId('composition-hover')).toContainText(/L0H\d+ → L5H\d+/, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/i16-composition-1400.png`, fullPage: false });
  await page.setViewportSize({ width: 390, height: 900 });
  await page.screenshot({ path: `${SHOTS}/i16-composition-390.png`, fullPage: false });
});

test('pages come from the cache, revalidate with ETags, and follow a new publish', async ({ request }) => {
  const url = '/models/fake-wide?sort=induction&dir=desc';
  await request.get(url);
  const cached = await request.get(url);
  expect(cached.headers()['x-nextjs-cache']).toBe('HIT');
  const etag = cached.headers()['etag'];
  expect(etag).toBeTruthy();
  expect((await request.get(url, { headers: { 'If-None-Match': etag } })).status()).toBe(304);
  expect(await cached.text()).toContain(firstRun);

  const secondRun = seedWide(true);
  expect(secondRun).not.toBe(firstRun);
  // Every server notices a publish within a second (lib/serve-cache/publish-generation.mjs).
  await expect.poll(async () => (await (await request.get(url)).text()).includes(secondRun), { timeout: 15_000 }).toBe(true);
  await expect
    .poll(async () => (await (await request.get('/models/fake-wide')).text()).includes(secondRun), { timeout: 15_000 })
    .toBe(true);
  // The first run's pinned page still shows the first run's numbers, now with a pointer to the newer one.
  const pinned = await (await request.get(`/runs/${firstRun}/models/fake-wide`)).text();
  expect(pinned).toContain('A newer run exists');
});
