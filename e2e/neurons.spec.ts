import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';

/**
 * The neuron explorer against `npm start`'s server (which computes stories260K's neuron wiki on first start):
 * neuron page (shaded examples, expand to full context without JS, histogram, weight effects, baseline, dataset
 * comparison, keyboard navigation, live probe), layer page sorting, Neuroscope redirect, the API, and a corpus
 * and vocabulary full of markup, bidi and control characters rendered inert.
 */
const NEURON = '/models/stories260K/neurons/0/5';

test('neuron page: examples, expand, histogram, effects, baseline, comparison', async ({ page }) => {
  await page.goto(NEURON);
  await expect(page.getByTestId('neuron-name')).toHaveText('L0N5');
  const examples = page.getByTestId('top-examples').getByTestId('neuron-example');
  await expect(examples).toHaveCount(20);
  // The max token is shaded and carries its activation on hover.
  const max = examples.first().locator('summary .neuron-token-max');
  await expect(max).toHaveAttribute('title', /activation \d/);
  // Collapsed: the full window is hidden; clicking the summary (a native <details>) shows it.
  const full = examples.first().getByTestId('neuron-example-full');
  await expect(full).toBeHidden();
  await examples.first().locator('summary').click();
  await expect(full).toBeVisible();
  await expect(page.getByTestId('quantile-mark')).not.toHaveCount(0);
  // The histogram bins a keyed 1-in-8 sample of the tokens (workers/neurons/scan.ts, sampleEvery): the caption says so.
  await expect(page.getByTestId('histogram-sampled')).toContainText('keyed sample');
  await expect(page.getByTestId('logit-top').locator('li')).toHaveCount(20);
  await expect(page.getByTestId('baseline-table').locator('tbody tr')).toHaveCount(5);
  await expect(page.getByTestId('other-corpus')).toContainText('python-stdlib-sample');
});

test('the neuron page stays well under the page-weight budget (400 KB HTML, 3,000 elements: issue 16)', async ({ browser, request }) => {
  // Per-token styles and titles and every example's whole window used to make this page 600 KB–1.4 MB.
  const html = await (await request.get(NEURON)).text();
  expect(html.length).toBeLessThan(300 * 1024);
  expect(html).not.toContain('class="neuron-token" style=');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(NEURON);
  expect(await page.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(2500);
  // Without JavaScript, the first top examples still expand; the later ones point to the JSON.
  const later = page.getByTestId('top-examples').getByTestId('neuron-example').nth(10);
  await later.locator('summary').click();
  await expect(later.getByTestId('neuron-example-lazy').getByRole('link', { name: 'JSON' })).toBeVisible();
  await context.close();
});

test("a later example renders its whole window from the page data when opened, hover shows a token's value", async ({ page }) => {
  await page.goto(NEURON);
  const later = page.getByTestId('top-examples').getByTestId('neuron-example').nth(10);
  const full = later.getByTestId('neuron-example-full');
  // Opened before hydration too: the component reads the <details>'s state when it mounts.
  await later.locator('summary').click();
  await expect(full.locator('.neuron-token-max')).toBeVisible();
  expect(await full.locator('.neuron-token').count()).toBeGreaterThan(await later.locator('summary .neuron-token').count());
  const token = later.locator('summary .neuron-token:not(.neuron-token-max)').first();
  await token.hover();
  await expect(token).toHaveAttribute('title', /position \d+ · activation -?\d/);
});

test('keyboard moves between neurons and layers', async ({ page }) => {
  await page.goto(NEURON);
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/\/neurons\/0\/6$/);
  await page.keyboard.press('j');
  await expect(page).toHaveURL(/\/neurons\/1\/6$/);
  await page.keyboard.press('ArrowLeft');
  await expect(page).toHaveURL(/\/neurons\/1\/5$/);
  // ↓ scrolls the page, as on any page; it does not leave the neuron.
  await page.setViewportSize({ width: 1400, height: 500 });
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  await expect(page).toHaveURL(/\/neurons\/1\/5$/);
});

test('live probe shows activations on custom text', async ({ page }) => {
  await page.goto(NEURON);
  await page.getByTestId('neuron-probe').locator('textarea').fill('The cat sat on the mat.');
  await page.getByTestId('neuron-probe').getByRole('button').click();
  await expect(page.getByTestId('probe-result').locator('.neuron-token').first()).toHaveAttribute('data-act', /^-?\d/);
});

test('without JavaScript: examples expand and the probe form is answered by the server', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(NEURON);
  const example = page.getByTestId('top-examples').getByTestId('neuron-example').first();
  await example.locator('summary').click();
  await expect(example.getByTestId('neuron-example-full')).toBeVisible();
  await page.getByTestId('neuron-probe').locator('textarea').fill('The dog ran home.');
  await page.getByTestId('neuron-probe').getByRole('button').click();
  await expect(page).toHaveURL(/\?probe=The\+dog\+ran\+home\.#probe$/);
  await expect(page.getByTestId('probe-result').locator('.neuron-token').first()).toHaveAttribute('data-act', /^-?\d/);
  await context.close();
});

test('layer page sorts by a statistic; Neuroscope URL redirects', async ({ page }) => {
  await page.goto('/models/stories260K/layers/2?sort=maxAct&dir=desc');
  const cells = page.getByTestId('neuron-table').locator('tbody tr td:nth-child(2)');
  // 172 neurons, 100 a page (layer pages are paged on the server: e2e/serving.spec.ts).
  await expect(cells).toHaveCount(100);
  const values = (await cells.allTextContents()).map(Number);
  expect(values).toEqual([...values].sort((a, b) => b - a));
  await page.getByRole('link', { name: /^neuron/ }).click();
  await expect(page).toHaveURL(/sort=neuron/);

  await page.goto('/stories260K/3/7');
  await expect(page).toHaveURL(/\/models\/stories260K\/neurons\/3\/7$/);
  expect((await page.request.get('/models/stories260K/zzz')).status()).toBe(404);
});

test('neuron API: detail, cursor-paginated list, 4xx on bad input', async ({ request }) => {
  const detail = await request.get('/api/v1/models/stories260K/neurons/0/5');
  expect(detail.status()).toBe(200);
  const body = await detail.json();
  expect(body.examples.filter((e: { kind: string }) => e.kind === 'top')).toHaveLength(20);
  expect(body.stats.histogram).toHaveLength(52);
  expect(detail.headers()['etag']).toBeTruthy();

  const first = await (await request.get('/api/v1/models/stories260K/neurons/1?sort=density&limit=50')).json();
  expect(first.neurons).toHaveLength(50);
  const second = await (await request.get(first.page.next)).json();
  const seen = new Set([...first.neurons, ...second.neurons].map((n: { neuron: number }) => n.neuron));
  expect(seen.size).toBe(100);

  expect((await request.get('/api/v1/models/stories260K/neurons/0/99999')).status()).toBe(404);
  expect((await request.get('/api/v1/models/stories260K/neurons/0/-1')).status()).toBe(400);
  expect((await request.get('/api/v1/models/stories260K/neurons/0/5?site=nope')).status()).toBe(400);
  expect((await request.get('/api/v1/models/stories260K/neurons/1?cursor=garbage!')).status()).toBe(400);
  const probe = await request.post('/api/v1/models/stories260K/neurons/0/5/probe', { data: { text: 'x'.repeat(5000) } });
  expect(probe.status()).toBe(413);
  // stories260K's MLP is gated (SwiGLU): no hook_mid to probe.
  const midProbe = await request.post('/api/v1/models/stories260K/neurons/0/5/probe', { data: { text: 'Once', site: 'mid' } });
  expect(midProbe.status()).toBe(400);
  expect((await midProbe.json()).error.message).toMatch(/no hook_mid/);
});

test('hostile corpus and vocabulary render inert and legible', async ({ page }) => {
  const pgPort = process.env.HEADWIKI_E2E_PG_PORT ?? '54339';
  execFileSync('npx', ['tsx', 'scripts/dev/seed-hostile-neurons.ts'], {
    env: { ...process.env, DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${pgPort}/headwiki` },
    stdio: 'pipe',
  });
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto('/models/hostile-neurons/neurons/0/0');
  await expect(page.getByTestId('neuron-name')).toHaveText('L0N0');
  // A ReLU MLP is scanned at post and pre: the page compares the two sites (open problem 6.38).
  await expect(page.getByTestId('site-table').locator('tbody tr')).toHaveCount(2);
  const text = await page.locator('main').innerText();
  // Markup from the corpus is shown as characters (one token each), never parsed.
  expect(text).toContain('<');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main script').count()).toBe(0);
  expect(await page.locator('main img').count()).toBe(0);
  // Hostile vocabulary pieces: the RTL override and control characters appear as visible escapes, never raw.
  // eslint-disable-next-line no-control-regex -- raw control characters are what must not appear
  expect(text).not.toMatch(/[\u202E\u0007\u001B]/);
  expect(text).toContain('\\u202E');
  expect(text).toContain('\\x07');
  // textContent also reads the collapsed <details> windows (token text shows spaces as ␣, like every token).
  const all = (await page.locator('main').textContent()) ?? '';
  expect(all).toContain('<script>window.__pwned␣=␣1</script>');
  expect(all).toContain('<img␣src=x␣onerror=alert(1)>'.slice(0, 20));
  // eslint-disable-next-line no-control-regex -- raw control characters are what must not appear
  expect(all).not.toMatch(/[\u202E\u0007\u001B]/);
  await page.screenshot({ path: 'test-results/neurons-hostile.png', fullPage: true });
  expect(dialogs).toBe(0);
});
