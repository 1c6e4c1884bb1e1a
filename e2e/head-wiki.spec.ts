import { expect, test } from '@playwright/test';
import { formatMetricValue } from '../lib/format/numbers';

/**
 * The researcher's path through the bundled model's wiki, in a real browser against `npm start`'s server:
 * models list → model page → sort by induction → top head's page → the API agrees with what the page showed.
 */

test('models page lists the bundled model with its published run', async ({ page }) => {
  await page.goto('/models');
  const row = page.getByTestId('model-row').filter({ hasText: 'stories260K' });
  await expect(row).toHaveCount(1);
  await row.getByRole('link', { name: 'stories260K' }).first().click();
  await expect(page).toHaveURL(/\/models\/stories260K$/);
  // 5 layers × 8 heads.
  await expect(page.getByTestId('head-row')).toHaveCount(40);
  await expect(page.getByTestId('permalink')).toHaveAttribute('href', /\/runs\/[^/]+\/models\/stories260K/);
});

test('sorting the head table by induction puts the top induction head first, and its page agrees with the API', async ({
  page,
  request,
}) => {
  await page.goto('/models/stories260K');
  await page.getByTestId('sort-induction').click(); // descending first for metrics
  await expect(page.getByTestId('sort-induction').locator('xpath=..')).toHaveAttribute('aria-sort', 'descending');

  const api = await request.get('/api/v1/models/stories260K/heads?sort=induction&order=desc');
  expect(api.status()).toBe(200);
  const body = await api.json();
  expect(body.heads).toHaveLength(40);
  const top = body.heads[0];
  for (const h of body.heads) expect(h.induction).toBeLessThanOrEqual(top.induction);

  const firstRow = page.getByTestId('head-row').first();
  await expect(firstRow).toHaveAttribute('data-head', top.name);

  await firstRow.getByRole('link').first().click();
  // Cached pages are rendered on their first visit, and the router shows the new address once it has them.
  await expect(page).toHaveURL(new RegExp(`/models/stories260K/heads/${top.layer}\\.${top.head}$`), { timeout: 30_000 });
  await expect(page.getByTestId('head-name')).toContainText(top.name);
  await expect(page.getByTestId('metric-induction').getByTestId('metric-value')).toContainText(formatMetricValue(top.induction));
  await expect(page.getByTestId('attention-pattern')).toBeVisible();
});

test('the CSV export is a pandas-readable table with one row per head', async ({ request }) => {
  const res = await request.get('/api/v1/models/stories260K/heads?format=csv');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('text/csv');
  const lines = (await res.text()).trim().split('\n');
  expect(lines[0].split(',').slice(0, 3)).toEqual(['layer', 'head', 'name']);
  expect(lines[0]).toContain('induction');
  expect(lines).toHaveLength(41);
});

test('bad input is a clear 4xx, never a 500', async ({ request, page }) => {
  const missingModel = await request.get('/api/v1/models/no-such-model/heads');
  expect(missingModel.status()).toBe(404);
  expect((await missingModel.json()).error.message).toMatch(/no-such-model/);

  const negativeLayer = await request.get('/api/v1/models/stories260K/heads/-1/0');
  expect(negativeLayer.status()).toBe(400);
  const outOfRange = await request.get('/api/v1/models/stories260K/heads/99/0');
  expect(outOfRange.status()).toBe(404);
  const badSort = await request.get('/api/v1/models/stories260K/heads?sort=nonsense');
  expect(badSort.status()).toBe(400);

  for (const url of [
    '/models/no-such-model',
    '/models/stories260K/heads/9.9',
    '/models/stories260K/heads/abc',
    '/runs/nope/models/stories260K',
  ]) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(404);
  }
});
